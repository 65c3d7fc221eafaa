package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"gatehouse/delivery"
	"gatehouse/models"
)

// quotaWindow is the span over which InviteQuota counts invitation emails.
const quotaWindow = 24 * time.Hour

// Invite invites each email of req to the current organization in one transaction: a
// membership in status invited (or a revoked one brought back), its roles and the apps chosen
// (the organization's enabled apps only: any other id is models.FieldErrors on "apps"), a link,
// the invitation email in the outbox and an audit event (invitePerson, the rules imports share).
// An email that already has a membership is not touched; its outcome says why. Emails past
// the daily quotas (per inviter, per IP) are not sent: the quotas are counted inside the
// transaction, so parallel submissions cannot overshoot them. Whether an email has a
// Gatehouse account elsewhere changes nothing the inviter sees.
func (s *Service) Invite(ctx context.Context, cur *models.Current, req models.InviteRequest, meta models.Meta) ([]models.InviteOutcome, error) {
	if !s.MayInvite(cur) {
		return nil, models.ErrForbidden
	}
	if len(req.People) > 0 {
		// People picked from the inviter's other organizations are invited by their email.
		emails, err := s.pickedEmails(ctx, cur, req.People)
		if err != nil {
			return nil, err
		}
		req.Emails += "\n" + strings.Join(emails, "\n")
	}
	errs := req.Validate()
	req.ParsePhones(errs, cur.Org.Country)
	if errs.Any() {
		return nil, errs
	}
	// Members who invite under "All members" hand out roles (CheckGrant), not app access.
	if len(req.Apps) > 0 && !cur.Can(models.PermManageMembers) {
		return nil, models.FieldErrors{"apps": "Only Owners and Admins can give access to apps. Leave the apps unchecked."}
	}
	if err := models.CheckGrant(cur.Actor(), req.Roles); err != nil {
		return nil, err
	}
	roles := models.SortRoles(req.Roles)
	out := make([]models.InviteOutcome, 0, len(req.EmailList))
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		out = out[:0]
		left, err := s.quotaLeft(ctx, cur, meta.IP)
		if err != nil {
			return err
		}
		grant, err := s.grantableApps(ctx, cur, req.Apps)
		if err != nil {
			return err
		}
		deptID, dept, err := s.departmentNamed(ctx, cur, req.Department)
		if err != nil {
			return err
		}
		for _, email := range req.EmailList {
			p := models.InvitePerson{Email: email, Roles: roles, Department: dept, DepartmentID: deptID, Position: req.Position, Apps: grant}
			if len(req.EmailList) == 1 {
				p.FirstName, p.LastName = req.FirstName, req.LastName
			}
			o, err := s.invitePerson(ctx, cur, p, &left, "", meta)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		// Phone numbers get the same rules, and the link by text message.
		for _, phone := range req.PhoneList {
			p := models.InvitePerson{Phone: phone, Roles: roles, Department: dept, DepartmentID: deptID, Position: req.Position, Apps: grant}
			o, err := s.invitePerson(ctx, cur, p, &left, "", meta)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.pokeOutbox()
	s.log.Info("invitations submitted", "user", cur.User.ID, "org", cur.Org.ID, "emails", len(out))
	return out, nil
}

// unlimited stands for no quota in quotaLeft's answer.
const unlimited = 1 << 30

// quotaLeft is how many invitation emails cur may still send today from ip: the lower of
// what is left of the organization's per-inviter quota (0 there means no limit) and of the
// per-IP quota. Read inside the inviting transaction, the count and the sends are one step.
func (s *Service) quotaLeft(ctx context.Context, cur *models.Current, ip string) (int, error) {
	since := s.now().Add(-quotaWindow)
	left := unlimited
	if q := cur.Org.InviteQuota; q > 0 {
		sent, err := s.st.InvitesSentSince(ctx, cur.User.ID, since)
		if err != nil {
			return 0, err
		}
		left = q - sent
	}
	sent, err := s.st.InvitesSentFromIP(ctx, ip, since)
	if err != nil {
		return 0, err
	}
	return max(0, min(left, s.cfg.InviteQuota-sent)), nil
}

// invitePerson invites one person, inside the caller's transaction: the rules the dialog and
// imports share: roles, the apps granted, a link and the email. A membership that exists (other than a revoked one) is left alone; past the
// quota (*left, decremented per email) nothing is written. The audit detail names the roles
// and, for an import, tag ("import 12").
func (s *Service) invitePerson(ctx context.Context, cur *models.Current, p models.InvitePerson, left *int, tag string, meta models.Meta) (models.InviteOutcome, error) {
	email := p.Email
	// Without an email, this is a phone invitation: the phone is the key, the email comes at signup.
	byPhone := email == "" && p.Phone != ""
	if byPhone {
		email = p.Phone // the outcome's contact
	}
	// Two invitations of one address (or phone) at the same moment make one membership.
	if err := s.st.LockMemberEmail(ctx, cur.Org.ID, email); err != nil {
		return models.InviteOutcome{}, err
	}
	var m *models.Membership
	var err error
	if byPhone {
		m, err = s.st.FindMemberByPhone(ctx, cur.Org.ID, p.Phone)
	} else {
		m, err = s.st.FindMemberByEmail(ctx, cur.Org.ID, email)
	}
	switch {
	case err == nil && m.Status != models.StatusRevoked:
		return models.InviteOutcome{Email: email, Result: models.InviteExists, Existing: m}, nil
	case err == nil:
	case errors.Is(err, models.ErrNotFound) && byPhone:
		m = &models.Membership{OrgID: cur.Org.ID, Phone: p.Phone}
	case errors.Is(err, models.ErrNotFound):
		m = &models.Membership{OrgID: cur.Org.ID, Email: email}
	default:
		return models.InviteOutcome{}, err
	}
	if *left <= 0 {
		return models.InviteOutcome{Email: email, Result: models.InviteOverQuota}, nil
	}
	*left--
	roles := models.SortRoles(p.Roles)
	m.Status, m.InvitedByID = models.StatusInvited, &cur.User.ID
	m.JoinedVia = models.InviteVia(cur.Permissions)
	m.DepartmentID, m.Department, m.Position = p.DepartmentID, p.Department, p.Position
	if p.JobID != "" {
		m.JobID = p.JobID
	}
	if p.Location != "" {
		m.Location = p.Location
	}
	m.SetName(p.FirstName, p.LastName)
	existed := m.ID != 0
	if err := s.st.SaveInvitedMember(ctx, m, roles); err != nil {
		return models.InviteOutcome{}, err
	}
	// The apps chosen replace any a revoked membership had, as its roles do.
	if existed || len(p.Apps) > 0 {
		ids := make([]int64, len(p.Apps))
		for i, a := range p.Apps {
			ids[i] = a.ID
		}
		if err := s.st.SetMemberApps(ctx, m.ID, ids); err != nil {
			return models.InviteOutcome{}, err
		}
	}
	raw, hash := models.NewToken()
	msg := s.invitationEmail(cur, p.FirstName, raw, s.inviteExpiry(cur))
	if byPhone {
		msg = models.OutboxMessage{TextBody: delivery.SMSInvitation(cur.Org.Name, cur.User.DisplayName(), s.InviteLink(raw))}
	}
	if err := s.st.MintInvitation(ctx, m, cur.User.ID, meta.IP, hash, s.inviteExpiry(cur), &msg); err != nil {
		return models.InviteOutcome{}, err
	}
	detail := "roles " + models.RoleLabels(roles)
	if len(p.Apps) > 0 {
		names := make([]string, len(p.Apps))
		for i, a := range p.Apps {
			names[i] = a.Name
		}
		detail += "; apps " + strings.Join(names, ", ")
	}
	if tag != "" {
		detail += "; " + tag
	}
	if byPhone {
		detail += "; by text message to " + models.MaskPhone(p.Phone)
	}
	if err := s.st.Audit(ctx, cur.EventOn(models.ActionInvited, m, detail), meta); err != nil {
		return models.InviteOutcome{}, err
	}
	if byPhone && !s.cfg.SMSConfigured {
		return models.InviteOutcome{Email: email, Result: models.InviteHeld}, nil
	}
	return models.InviteOutcome{Email: email, Result: models.InviteSent}, nil
}

// InviteApps returns the apps the invite dialog offers: the organization's enabled apps, by name.
func (s *Service) InviteApps(ctx context.Context, cur *models.Current) ([]models.App, error) {
	if !s.MayInvite(cur) {
		return nil, models.ErrForbidden
	}
	if !cur.Can(models.PermManageMembers) {
		return nil, nil
	}
	apps, err := s.st.ListApps(ctx, cur.Org.ID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(apps, func(a models.App) bool { return !a.Enabled }), nil
}

// grantableApps resolves the app ids of an invitation to the organization's enabled apps, by
// name; an id of a disabled app, of another organization's app or of none is models.FieldErrors
// on "apps".
func (s *Service) grantableApps(ctx context.Context, cur *models.Current, ids []int64) ([]models.App, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	apps, err := s.st.ListApps(ctx, cur.Org.ID)
	if err != nil {
		return nil, err
	}
	var out []models.App
	for _, a := range apps {
		if !slices.Contains(ids, a.ID) {
			continue
		}
		if !a.Enabled {
			return nil, models.FieldErrors{"apps": a.Name + " is disabled: enable it on the Apps page first, or leave it unchecked."}
		}
		out = append(out, a)
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	if len(seen) != len(out) {
		return nil, models.FieldErrors{"apps": "One of the apps you chose no longer exists. Choose apps from the list."}
	}
	return out, nil
}

// inviteExpiry is when a link minted now stops working, by the organization's setting.
func (s *Service) inviteExpiry(cur *models.Current) time.Time {
	return s.now().Add(time.Duration(cur.Org.InviteLifetimeHours) * time.Hour)
}

// invitationEmail composes the invitation email with the link for raw.
func (s *Service) invitationEmail(cur *models.Current, firstName, raw string, expires time.Time) models.OutboxMessage {
	subject, text, html := delivery.InvitationEmail(delivery.InvitationData{
		OrgName: cur.Org.Name, InviterName: cur.User.DisplayName(), InviterEmail: cur.User.Email,
		RecipientFirstName: firstName, Link: s.InviteLink(raw), ExpiresAt: expires, Now: s.now(),
	})
	return models.OutboxMessage{Subject: subject, TextBody: text, HTMLBody: html}
}

// InviteLink is the signup link for a raw invitation token, built from the base URL.
func (s *Service) InviteLink(raw string) string { return s.link("/invite/"+raw, nil) }

// ErrInviteQuota refuses a reinvite past a daily quota of invitation emails (the inviter's or the IP's).
var ErrInviteQuota = &models.RuleError{Msg: "You have reached today's limit of invitation emails. Try again tomorrow, or use Copy invite link."}

// Reinvite emails an invited member a new link; every earlier link stops working. It counts
// against the inviter's daily quota.
func (s *Service) Reinvite(ctx context.Context, cur *models.Current, membershipID int64, meta models.Meta) (*models.Membership, error) {
	m, _, err := s.newLink(ctx, cur, membershipID, models.ActReinvite, meta)
	return m, err
}

// CopyInviteLink makes a new link for an invited member for the admin to send themselves
// (no email, no quota); every earlier link stops working. It returns the link.
func (s *Service) CopyInviteLink(ctx context.Context, cur *models.Current, membershipID int64, meta models.Meta) (string, error) {
	_, link, err := s.newLink(ctx, cur, membershipID, models.ActCopyLink, meta)
	return link, err
}

func (s *Service) newLink(ctx context.Context, cur *models.Current, id int64, act models.MemberAction, meta models.Meta) (*models.Membership, string, error) {
	var m *models.Membership
	raw, hash := models.NewToken()
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		var err error
		if m, _, err = s.memberFor(ctx, cur, id, act); err != nil {
			return err
		}
		if err := models.CheckManageOwner(cur.Actor(), models.TargetOf(m)); err != nil {
			return err
		}
		expires := s.inviteExpiry(cur)
		var msg *models.OutboxMessage
		action := models.ActionLinkCopied
		if act == models.ActReinvite {
			left, err := s.quotaLeft(ctx, cur, meta.IP)
			if err != nil {
				return err
			}
			if left <= 0 {
				return ErrInviteQuota
			}
			email := s.invitationEmail(cur, m.FirstName, raw, expires)
			if m.Email == "" {
				email = models.OutboxMessage{TextBody: delivery.SMSInvitation(cur.Org.Name, cur.User.DisplayName(), s.InviteLink(raw))}
			}
			msg, action = &email, models.ActionReinvited
		}
		if err := s.st.MintInvitation(ctx, m, cur.User.ID, meta.IP, hash, expires, msg); err != nil {
			return err
		}
		return s.st.Audit(ctx, cur.EventOn(action, m, ""), meta)
	})
	if err != nil {
		return nil, "", err
	}
	if act == models.ActReinvite {
		s.pokeOutbox()
	}
	return m, s.InviteLink(raw), nil
}

// RevokeInvitation ends every link of an invited member; the membership leaves the Users
// page tabs and stays only in the audit log.
func (s *Service) RevokeInvitation(ctx context.Context, cur *models.Current, membershipID int64, meta models.Meta) (*models.Membership, error) {
	var m *models.Membership
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		var to models.Status
		var err error
		if m, to, err = s.memberFor(ctx, cur, membershipID, models.ActRevoke); err != nil {
			return err
		}
		if err := models.CheckManageOwner(cur.Actor(), models.TargetOf(m)); err != nil {
			return err
		}
		if err := s.st.RevokeInvitations(ctx, m, to); err != nil {
			return err
		}
		return s.st.Audit(ctx, cur.EventOn(models.ActionRevoked, m, ""), meta)
	})
	return m, err
}

// memberFor loads the membership an action is about and applies models.Allowed; it returns
// the status the action leads to.
func (s *Service) memberFor(ctx context.Context, cur *models.Current, id int64, act models.MemberAction) (*models.Membership, models.Status, error) {
	if !cur.Can(act.Permission()) {
		return nil, "", models.ErrForbidden
	}
	m, err := s.st.FindMember(ctx, cur.Org.ID, id)
	if err != nil {
		return nil, "", err
	}
	if err := models.Allowed(cur.Actor(), m, act); err != nil {
		return nil, "", err
	}
	to, _ := models.Transition(m.Status, act)
	return m, to, nil
}

// LatestDelivery is the newest link of an invited member and how its email fared.
type LatestDelivery struct {
	Invitation models.Invitation
	Delivery   *models.OutboxMessage // nil when the link was copied, not emailed
}

// LatestInvitations returns, for each of the organization's members listed, their newest
// link and how its email fared, in two reads (the Inactivated tab of the Users page).
func (s *Service) LatestInvitations(ctx context.Context, cur *models.Current, memberIDs []int64) (map[int64]LatestDelivery, error) {
	if !cur.Can(models.PermViewData) {
		return nil, models.ErrForbidden
	}
	invs, err := s.st.LatestInvitations(ctx, cur.Org.ID, memberIDs)
	if err != nil {
		return nil, err
	}
	invIDs := make([]int64, 0, len(invs))
	for _, inv := range invs {
		invIDs = append(invIDs, inv.ID)
	}
	deliveries, err := s.st.LatestDeliveries(ctx, invIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]LatestDelivery, len(invs))
	for mid, inv := range invs {
		d := LatestDelivery{Invitation: inv}
		if msg, ok := deliveries[inv.ID]; ok {
			d.Delivery = &msg
		}
		out[mid] = d
	}
	return out, nil
}
