package app

import (
	"context"
	"errors"
	"io"
	"strconv"

	"gatehouse/models"
	"gatehouse/sheet"
)

// ImportPreview is what importing a file would do, row by row; nothing is written.
type ImportPreview struct {
	Rows   []models.ImportRow // Outcome and Message say what would happen
	Counts map[models.RowOutcome]int
	// QuotaLeft is how many invitation emails may still be sent today; Unlimited when no quota applies.
	QuotaLeft int
	Unlimited bool
}

// fileErrors turns a problem with an uploaded file into the form's field error.
func fileErrors(err error) error {
	var se *sheet.Error
	if errors.As(err, &se) {
		return models.FieldErrors{"file": se.Msg}
	}
	return err
}

// PreviewImport reads an import file and says, for every row, what confirming it would do:
// Invite, Skip (already a member), Reinvite, Restore, Re-approve, or why the row cannot be
// imported (bad email or phone, unknown role, a role the importer may not grant, a duplicate
// within the file, a missing required field, over today's quota). It writes nothing. A file
// that cannot be read at all is models.FieldErrors under "file".
func (s *Service) PreviewImport(ctx context.Context, cur *models.Current, file io.Reader, meta models.Meta) (*ImportPreview, error) {
	if !cur.Can(models.PermInviteMembers) {
		return nil, models.ErrForbidden
	}
	rows, err := s.checkImportRows(ctx, cur, file)
	if err != nil {
		return nil, err
	}
	left, err := s.quotaLeft(ctx, cur, meta.IP)
	if err != nil {
		return nil, err
	}
	p := &ImportPreview{Rows: rows, Counts: map[models.RowOutcome]int{}, QuotaLeft: left, Unlimited: left >= unlimited/2}
	emails := make([]string, 0, len(rows))
	for _, r := range rows {
		if r.Outcome == models.RowPending {
			emails = append(emails, models.NormalizeEmail(r.Email))
		}
	}
	existing, err := s.st.FindMembersByEmails(ctx, cur.Org.ID, emails)
	if err != nil {
		return nil, err
	}
	for i := range p.Rows {
		r := &p.Rows[i]
		if r.Outcome == models.RowPending {
			m, ok := existing[models.NormalizeEmail(r.Email)]
			switch {
			case ok && m.Status != models.StatusRevoked:
				r.Outcome, r.Message = models.ExistingOutcome(m.Status), models.ExistingMessage(m.Status)
			case left <= 0:
				r.Outcome, r.Message = models.RowQuota, quotaMessage
			default:
				left--
				r.Outcome = models.RowInvite
			}
		}
		p.Counts[r.Outcome]++
	}
	return p, nil
}

const quotaMessage = "Over today's quota of invitation emails: not sent. Import this row again tomorrow, or raise the quota on Settings."

// checkImportRows parses the file and checks each row on its own and against the rows above
// it: rows that cannot be imported get RowError and a message, the others stay RowPending.
// A row's apps must be the organization's enabled apps, by name.
func (s *Service) checkImportRows(ctx context.Context, cur *models.Current, file io.Reader) ([]models.ImportRow, error) {
	parsed, err := sheet.Parse(file)
	if err != nil {
		return nil, fileErrors(err)
	}
	apps, err := s.st.ListApps(ctx, cur.Org.ID)
	if err != nil {
		return nil, err
	}
	depts, err := s.st.ListDepartments(ctx, cur.Org.ID)
	if err != nil {
		return nil, err
	}
	rows := make([]models.ImportRow, len(parsed))
	firstLine := make(map[string]int, len(parsed))
	for i, r := range parsed {
		row := models.ImportRow{Line: r.Line, FirstName: r.FirstName, LastName: r.LastName, Email: r.Email, Phone: r.Phone,
			Roles: r.Roles, Department: r.Department, Position: r.Position, JobID: r.JobID, Location: r.Location, Apps: r.Apps}
		p, msg := row.Person()
		if msg == "" {
			_, msg = models.ResolveApps(row.Apps, apps)
		}
		if msg == "" {
			_, _, msg = models.ResolveDepartment(p.Department, depts)
		}
		if msg == "" {
			if err := models.CheckGrant(cur.Actor(), p.Roles); err != nil {
				msg = models.RefusalMessage(err)
			}
		}
		if msg == "" {
			if first, dup := firstLine[p.Email]; dup {
				msg = "Duplicate: " + p.Email + " is already on row " + strconv.Itoa(first) + " of this file."
			} else {
				firstLine[p.Email] = row.Line
			}
		}
		if msg != "" {
			row.Outcome, row.Message = models.RowError, msg
		}
		rows[i] = row
	}
	return rows, nil
}

// ConfirmImport stores the file's rows as an import and starts inviting them in the
// background, a batch per transaction (RunImport); rows that cannot be imported are recorded
// with their reason at once. The import survives a restart: ResumeImports carries on.
func (s *Service) ConfirmImport(ctx context.Context, cur *models.Current, fileName string, file io.Reader, meta models.Meta) (*models.Import, error) {
	if !cur.Can(models.PermInviteMembers) {
		return nil, models.ErrForbidden
	}
	rows, err := s.checkImportRows(ctx, cur, file)
	if err != nil {
		return nil, err
	}
	name, _ := models.CleanText(fileName, models.MaxFieldLen, "")
	imp := &models.Import{OrgID: cur.Org.ID, UserID: &cur.User.ID, IP: meta.IP, UserAgent: models.TruncateUTF8(meta.UserAgent, 500), FileName: name}
	for _, r := range rows {
		if r.Outcome == models.RowError {
			imp.Done++
			imp.Failed++
		}
	}
	err = s.st.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.CreateImport(ctx, imp, rows); err != nil {
			return err
		}
		return s.st.Audit(ctx, cur.Event(models.ActionImported, "import "+strconv.FormatInt(imp.ID, 10)+": "+
			strconv.Itoa(imp.Total)+" rows from "+strconv.Quote(name)), meta)
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("import confirmed", "import", imp.ID, "org", cur.Org.ID, "rows", imp.Total)
	if !s.cfg.NoImportWorker && imp.Status == models.ImportRunning {
		id := imp.ID
		s.bg.Go(func() { s.runImport(id) })
	}
	return imp, nil
}

// ResumeImports carries on, in the background, every import a stop left unfinished.
func (s *Service) ResumeImports(ctx context.Context) error {
	imps, err := s.st.UnfinishedImports(ctx)
	if err != nil {
		return err
	}
	for _, imp := range imps {
		s.log.Info("resuming import", "import", imp.ID, "done", imp.Done, "total", imp.Total)
		id := imp.ID
		s.bg.Go(func() { s.runImport(id) })
	}
	return nil
}

func (s *Service) runImport(id int64) {
	for {
		select {
		case <-s.quit:
			s.log.Info("import paused until the next start", "import", id)
			return
		default:
		}
		done, err := s.RunImportBatch(context.Background(), id)
		if err != nil {
			s.log.Error("import batch failed", "import", id, "err", err)
			return
		}
		if done {
			return
		}
	}
}

// RunImportBatch invites the next batch of an import's waiting rows in one transaction, as
// the member who confirmed it and from their address, through the invite dialog's rules
// (invitePerson); each row's outcome is stored in the same transaction as its invitation, so
// a row is never done twice. It reports whether the import is finished.
func (s *Service) RunImportBatch(ctx context.Context, id int64) (bool, error) {
	var finished bool
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		imp, err := s.st.FindImportByID(ctx, id)
		if err != nil {
			return err
		}
		if imp.Status == models.ImportDone {
			finished = true
			return nil
		}
		rows, err := s.st.ImportRows(ctx, imp.ID, 0, s.cfg.ImportBatch, true)
		if err != nil {
			return err
		}
		var cur *models.Current
		if imp.UserID != nil {
			cur, err = s.st.FindMemberCurrent(ctx, imp.OrgID, *imp.UserID)
			if err != nil && !errors.Is(err, models.ErrNotFound) {
				return err
			}
		}
		meta := models.Meta{IP: imp.IP, UserAgent: imp.UserAgent}
		tag := "import " + strconv.FormatInt(imp.ID, 10)
		left := 0
		canInvite := cur != nil && cur.Membership.Status == models.StatusActive && cur.Can(models.PermInviteMembers)
		if canInvite {
			if left, err = s.quotaLeft(ctx, cur, imp.IP); err != nil {
				return err
			}
		}
		// Apps are resolved again: one disabled or deleted since the preview fails its rows.
		apps, err := s.st.ListApps(ctx, imp.OrgID)
		if err != nil {
			return err
		}
		// So are departments: one deleted since fails its rows, one renamed is found by its new name only.
		depts, err := s.st.ListDepartments(ctx, imp.OrgID)
		if err != nil {
			return err
		}
		for i := range rows {
			r := &rows[i]
			p, msg := r.Person()
			if msg == "" {
				p.Apps, msg = models.ResolveApps(r.Apps, apps)
			}
			if msg == "" {
				p.DepartmentID, p.Department, msg = models.ResolveDepartment(p.Department, depts)
			}
			switch {
			case !canInvite:
				r.Outcome, r.Message = models.RowError, "Not sent: the member who confirmed the import can no longer invite."
			case msg != "":
				r.Outcome, r.Message = models.RowError, msg
			default:
				if err := models.CheckGrant(cur.Actor(), p.Roles); err != nil {
					r.Outcome, r.Message = models.RowError, models.RefusalMessage(err)
					break
				}
				o, err := s.invitePerson(ctx, cur, p, &left, tag, meta)
				if err != nil {
					return err
				}
				switch o.Result {
				case models.InviteSent:
					r.Outcome, r.Message = models.RowInvited, "Invitation sent"
				case models.InviteOverQuota:
					r.Outcome, r.Message = models.RowQuota, quotaMessage
				default:
					r.Outcome, r.Message = models.ExistingOutcome(o.Existing.Status), models.ExistingMessage(o.Existing.Status)
				}
			}
		}
		if err := s.st.FinishImportRows(ctx, imp, rows); err != nil {
			return err
		}
		finished = imp.Status == models.ImportDone
		return nil
	})
	if err != nil {
		return false, err
	}
	s.pokeOutbox()
	return finished, nil
}

// FindImport returns one of the current organization's imports, with its counts.
func (s *Service) FindImport(ctx context.Context, cur *models.Current, id int64) (*models.Import, error) {
	if !cur.Can(models.PermInviteMembers) {
		return nil, models.ErrForbidden
	}
	return s.st.FindImport(ctx, cur.Org.ID, id)
}

// ImportResultColumns head the result file: the template's columns, then what happened.
var ImportResultColumns = append(append([]string{"Row"}, sheet.Columns...), "Status", "Message")

// WriteImportResult writes every row of an import with its status to w, a page at a time.
func (s *Service) WriteImportResult(ctx context.Context, cur *models.Current, id int64, w sheet.Writer) error {
	imp, err := s.FindImport(ctx, cur, id)
	if err != nil {
		return err
	}
	if err := w.Write(append([]string(nil), ImportResultColumns...)); err != nil {
		return err
	}
	after := 0
	for {
		rows, err := s.st.ImportRows(ctx, imp.ID, after, 500, false)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := w.Write([]string{strconv.Itoa(r.Line), r.FirstName, r.LastName, r.Email, r.Phone, r.Roles, r.Department,
				r.Position, r.JobID, r.Location, r.Apps, r.Outcome.Label(), r.Message}); err != nil {
				return err
			}
			after = r.Line
		}
		if len(rows) < 500 {
			return w.Close()
		}
	}
}

// InviteQuotaLeft is how many invitation emails cur may still send today from meta's address
// (the import page says so); unlimited when no quota applies.
func (s *Service) InviteQuotaLeft(ctx context.Context, cur *models.Current, meta models.Meta) (left int, isUnlimited bool, err error) {
	if !cur.Can(models.PermInviteMembers) {
		return 0, false, models.ErrForbidden
	}
	left, err = s.quotaLeft(ctx, cur, meta.IP)
	return left, left >= unlimited/2, err
}
