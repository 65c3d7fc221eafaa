package app

import (
	"context"
	"strconv"
	"time"

	"gatehouse/models"
	"gatehouse/sheet"
	"gatehouse/store"
)

// ExportColumns head a member export: the Users page's columns, then status, roles, who
// invited them, when they joined, their last login and whether they have a second factor.
var ExportColumns = []string{"Name", "Email", "Department", "Status", "Roles", "Invited by", "Joined", "Last login", "MFA enrolled"}

// ExportMembers writes the members a Users page tab and filter lists (f without its cursor
// and limit) to w, every one, a keyset page at a time as store.FindMembers reads them: memory
// stays flat however many there are. Owners and Admins only; audited once, with the count.
func (s *Service) ExportMembers(ctx context.Context, cur *models.Current, f models.MemberFilter, format string, w sheet.Writer, meta models.Meta) (int, error) {
	if !cur.Can(models.PermManageMembers) {
		return 0, models.ErrForbidden
	}
	if err := w.Write(append([]string(nil), ExportColumns...)); err != nil {
		return 0, err
	}
	f.Cursor, f.Limit = "", store.MaxMemberPage
	n := 0
	row := make([]string, len(ExportColumns))
	ids := make([]int64, 0, store.MaxMemberPage)
	for {
		page, err := s.st.FindMembers(ctx, cur.Org.ID, f)
		if err != nil {
			return n, err
		}
		ids = ids[:0]
		for _, m := range page.Members {
			ids = append(ids, m.ID)
		}
		inviters, err := s.st.InvitersOf(ctx, cur.Org.ID, ids)
		if err != nil {
			return n, err
		}
		for _, m := range page.Members {
			mfa := "No"
			if m.UserMFA {
				mfa = "Yes"
			}
			row = append(row[:0], models.DisplayName(m.FirstName, m.LastName, ""), m.Email, m.Department, m.Status.Label(),
				models.RoleLabels(m.Roles), inviters[m.ID], day(m.CreatedAt), day(m.LastLoginAt), mfa)
			if err := w.Write(row); err != nil {
				return n, err
			}
			n++
		}
		if page.Next == "" {
			break
		}
		f.Cursor = page.Next
	}
	if err := w.Close(); err != nil {
		return n, err
	}
	detail := "export of " + strconv.Itoa(n) + " " + string(f.Status) + " members as " + format
	if f.Query != "" {
		detail += ", search " + strconv.Quote(f.Query)
	}
	if f.NoMFA {
		detail += ", MFA not enrolled"
	}
	return n, s.st.InTx(ctx, func(ctx context.Context) error {
		return s.st.Audit(ctx, cur.Event(models.ActionExported, detail), meta)
	})
}

// day writes a time as the export shows it (UTC, to the minute); "" for never.
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04")
}
