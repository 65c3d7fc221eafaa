package app

import (
	"context"
	"errors"

	"gatehouse/models"
)

// MemberProfile is what the member page shows of one member beyond the membership itself.
type MemberProfile struct {
	Member    *models.Membership // with UserMFA set from the account
	InvitedBy string             // the inviter's name, "" when unknown
	// History is the member's audit events, newest first; nil unless the viewer may read the
	// audit log.
	History []models.AuditEvent
}

// memberHistory is how many audit events the member page shows.
const memberHistory = 50

// FindMemberProfile returns one of the current organization's members with who invited them
// and, for those who may read the audit log, their history. Another organization's id is
// models.ErrNotFound.
func (s *Service) FindMemberProfile(ctx context.Context, cur *models.Current, id int64) (*MemberProfile, error) {
	m, err := s.FindMember(ctx, cur, id)
	if err != nil {
		return nil, err
	}
	p := &MemberProfile{Member: m}
	if m.UserID != nil {
		u, err := s.st.FindUser(ctx, *m.UserID)
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		if u != nil {
			m.UserMFA = u.MFAEnabled
		}
	}
	if m.InvitedByID != nil {
		if by, err := s.st.FindMember(ctx, cur.Org.ID, *m.InvitedByID); err == nil {
			p.InvitedBy = by.DisplayName()
		} else if !errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
	}
	if cur.Can(models.PermViewAudit) {
		if p.History, err = s.st.FindAuditEvents(ctx, models.AuditFilter{OrgID: &cur.Org.ID, MemberID: m.ID, Limit: memberHistory}); err != nil {
			return nil, err
		}
	}
	return p, nil
}
