package app

import (
	"context"
	"errors"
	"strings"

	"gatehouse/models"
)

// ListAuditEvents returns one page of the current organization's audit log, newest first, by
// keyset on id (Owners and Admins). The member filter is resolved here: an email typed in the
// Member email box wins over a membership id. A member filter naming nobody in this
// organization (another organization's member included) lists nothing and says why in
// AuditPage.NoMember.
func (s *Service) ListAuditEvents(ctx context.Context, cur *models.Current, q models.AuditQuery) (*models.AuditPage, error) {
	if !cur.Can(models.PermViewAudit) {
		return nil, models.ErrForbidden
	}
	org := cur.Org
	page := &models.AuditPage{}
	var err error
	switch email := strings.ToValidUTF8(strings.TrimSpace(q.Email), ""); {
	case email != "":
		page.MemberEmail = models.TruncateUTF8(email, models.MaxEmailLen)
		if len(email) > models.MaxEmailLen {
			err = models.ErrNotFound // no address is that long
		} else {
			page.Member, err = s.st.FindMemberByEmail(ctx, org.ID, email)
		}
		if errors.Is(err, models.ErrNotFound) {
			page.NoMember = "No member of " + org.Name + " has the email “" + models.NormalizeEmail(page.MemberEmail) + "”."
			return page, nil
		}
	case q.MemberID != 0:
		if q.MemberID < 0 {
			err = models.ErrNotFound
		} else {
			page.Member, err = s.st.FindMember(ctx, org.ID, q.MemberID)
		}
		if errors.Is(err, models.ErrNotFound) {
			page.NoMember = "That member is not in " + org.Name + "."
			return page, nil
		}
	}
	if err != nil {
		return nil, err
	}
	f := models.AuditFilter{OrgID: &org.ID, Action: q.Action, Before: q.Before, Limit: q.Limit}
	if page.Member != nil {
		f.MemberID, page.MemberEmail = page.Member.ID, page.Member.Email
	}
	if page.Events, err = s.st.FindAuditEvents(ctx, f); err != nil {
		return nil, err
	}
	return page, nil
}

// AuditRefusal records that the current member was refused what (a route their roles do
// not reach): the audit log shows who tried what.
func (s *Service) AuditRefusal(ctx context.Context, cur *models.Current, what string, meta models.Meta) error {
	return s.st.Audit(ctx, cur.Event(models.ActionDenied, what), meta)
}
