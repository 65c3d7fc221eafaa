package app

import (
	"context"
	"errors"
	"slices"

	"gatehouse/models"
)

// MemberProfile is what the member page shows of one member beyond the membership itself.
type MemberProfile struct {
	Member    *models.Membership // with UserMFA set from the account
	InvitedBy string             // the inviter's name, "" when unknown
	// History is the member's audit events, newest first; nil unless the viewer may read the
	// audit log.
	History []models.AuditEvent
	// Apps are the organization's apps the member may use, by name, and how; nil unless the
	// viewer may see apps (Owners and Admins).
	Apps []MemberApp
}

// MemberApp is one app a member may use: given to them directly, through some of their
// roles, or both.
type MemberApp struct {
	App    models.App
	Direct bool
	Roles  []models.Role // the member's roles that carry the app
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
	if cur.Can(models.PermManageOrg) || cur.Can(models.PermManageMembers) {
		if p.Apps, err = s.memberApps(ctx, cur, m); err != nil {
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

// memberApps lists the organization's apps m may use, directly or through their roles.
func (s *Service) memberApps(ctx context.Context, cur *models.Current, m *models.Membership) ([]MemberApp, error) {
	apps, direct, err := s.appsAndGrants(ctx, cur.Org.ID, m.ID)
	if err != nil {
		return nil, err
	}
	out := []MemberApp{}
	for _, a := range apps {
		ma := MemberApp{App: a, Direct: slices.Contains(direct, a.ID)}
		for _, r := range m.Roles {
			if slices.Contains(a.Roles, r) {
				ma.Roles = append(ma.Roles, r)
			}
		}
		if ma.Direct || len(ma.Roles) > 0 {
			out = append(out, ma)
		}
	}
	return out, nil
}
