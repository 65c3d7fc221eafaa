package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gatehouse/models"
)

// statusAudit is the audit action of each status change.
var statusAudit = map[models.MemberAction]models.Action{
	models.ActTerminate: models.ActionTerminated,
	models.ActRestore:   models.ActionRestored,
	models.ActApprove:   models.ActionApproved,
	models.ActReject:    models.ActionRejected,
	models.ActReapprove: models.ActionReapproved,
}

// Terminate ends a member's access: the membership, its roles and history are kept, and the
// member's sessions in this organization move at their next request to another organization
// where they are active, or to none (Authenticate). Nobody terminates themselves, only an
// Owner terminates an Owner, and never the last active one.
func (s *Service) Terminate(ctx context.Context, cur *models.Current, id int64, meta models.Meta) (*models.Membership, error) {
	return s.changeStatus(ctx, cur, id, models.ActTerminate, meta)
}

// Restore gives a terminated member their access back with the roles they held.
func (s *Service) Restore(ctx context.Context, cur *models.Current, id int64, meta models.Meta) (*models.Membership, error) {
	return s.changeStatus(ctx, cur, id, models.ActRestore, meta)
}

// Approve makes a pending member active.
func (s *Service) Approve(ctx context.Context, cur *models.Current, id int64, meta models.Meta) (*models.Membership, error) {
	return s.changeStatus(ctx, cur, id, models.ActApprove, meta)
}

// Reject refuses a pending member's request; they can be re-approved later.
func (s *Service) Reject(ctx context.Context, cur *models.Current, id int64, meta models.Meta) (*models.Membership, error) {
	return s.changeStatus(ctx, cur, id, models.ActReject, meta)
}

// Reapprove makes a rejected member active after all.
func (s *Service) Reapprove(ctx context.Context, cur *models.Current, id int64, meta models.Meta) (*models.Membership, error) {
	return s.changeStatus(ctx, cur, id, models.ActReapprove, meta)
}

// ChangeMemberStatus is the status change act (Terminate, Restore, Approve, Reject or
// Reapprove) for callers that hold the action as a value, such as the row menu's routes.
func (s *Service) ChangeMemberStatus(ctx context.Context, cur *models.Current, id int64, act models.MemberAction, meta models.Meta) (*models.Membership, error) {
	return s.changeStatus(ctx, cur, id, act, meta)
}

func (s *Service) changeStatus(ctx context.Context, cur *models.Current, id int64, act models.MemberAction, meta models.Meta) (*models.Membership, error) {
	return s.changeStatusWith(ctx, cur, id, act, "", meta)
}

// changeStatusWith is changeStatus with the reason of a rejection (emailed and kept).
func (s *Service) changeStatusWith(ctx context.Context, cur *models.Current, id int64, act models.MemberAction, reason string, meta models.Meta) (*models.Membership, error) {
	auditAction, ok := statusAudit[act]
	if !ok {
		return nil, fmt.Errorf("app: %q is not a status change", act)
	}
	var m *models.Membership
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		var to models.Status
		var err error
		if m, to, err = s.memberFor(ctx, cur, id, act); err != nil {
			return err
		}
		if act == models.ActTerminate {
			owners, err := s.st.CountActiveOwners(ctx, cur.Org.ID)
			if err != nil {
				return err
			}
			if err := models.CheckTerminate(cur.Actor(), models.TargetOf(m), owners); err != nil {
				return err
			}
		} else if len(m.Roles) > 0 {
			// Bringing someone (back) in hands them their roles: the actor must be able to grant them.
			if err := models.CheckGrant(cur.Actor(), m.Roles); err != nil {
				return err
			}
		} else if to == models.StatusActive {
			if err := s.st.SetMemberRoles(ctx, m, models.RolesOnActivation(nil)); err != nil {
				return err
			}
		}
		if err := s.st.SetMemberStatus(ctx, m, to); err != nil {
			return err
		}
		detail := rolesDetail(m.Roles)
		if err := s.decided(ctx, cur, m, act, reason); err != nil {
			return err
		}
		if reason != "" {
			detail += "; reason: " + reason
		}
		return s.st.Audit(ctx, cur.EventOn(auditAction, m, detail), meta)
	})
	if err != nil {
		return nil, err
	}
	if act == models.ActApprove || act == models.ActReject || act == models.ActReapprove {
		s.pokeOutbox()
	}
	return m, nil
}

// rolesDetail is an audit detail naming the roles held.
func rolesDetail(roles []models.Role) string {
	if len(roles) == 0 {
		return models.NoRoles
	}
	return "roles " + models.RoleLabels(roles)
}

// SetMemberRoles replaces the roles of an active or invited member under DESIGN.md's rules:
// not one's own, Owner only by Owners, nothing the actor lacks, never the last active Owner.
// Setting the roles a member already holds changes and audits nothing.
func (s *Service) SetMemberRoles(ctx context.Context, cur *models.Current, id int64, roles []models.Role, meta models.Meta) (*models.Membership, error) {
	var m *models.Membership
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		var err error
		if m, _, err = s.memberFor(ctx, cur, id, models.ActEditRoles); err != nil {
			return err
		}
		owners, err := s.st.CountActiveOwners(ctx, cur.Org.ID)
		if err != nil {
			return err
		}
		if err := models.CheckRoleChange(cur.Actor(), models.TargetOf(m), roles, owners); err != nil {
			return err
		}
		old, roles := models.SortRoles(m.Roles), models.SortRoles(roles)
		if slices.Equal(old, roles) {
			return nil
		}
		if err := s.st.SetMemberRoles(ctx, m, roles); err != nil {
			return err
		}
		return s.st.Audit(ctx, cur.EventOn(models.ActionRolesChanged, m, models.RoleLabels(old)+" → "+models.RoleLabels(roles)), meta)
	})
	return m, err
}

// UpdateMemberDetails changes an active member's department, position, job ID and location.
// Invalid input is models.FieldErrors; unchanged details change and audit nothing.
func (s *Service) UpdateMemberDetails(ctx context.Context, cur *models.Current, id int64, req models.MemberDetailsRequest, meta models.Meta) (*models.Membership, error) {
	if !cur.Can(models.ActEditDetails.Permission()) {
		return nil, models.ErrForbidden
	}
	if errs := req.Validate(); errs.Any() {
		return nil, errs
	}
	return s.updateDetails(ctx, cur, id, func(*models.Membership) models.MemberDetailsRequest { return req }, meta)
}

// updateDetails is Edit details in one transaction: the member is read, edit says their new
// details from their current ones (already clean), and the change is written and audited.
// A department name is resolved against the organization's list; the member's own department
// kept as it is stays theirs by id.
func (s *Service) updateDetails(ctx context.Context, cur *models.Current, id int64, edit func(*models.Membership) models.MemberDetailsRequest, meta models.Meta) (*models.Membership, error) {
	var m *models.Membership
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		var err error
		if m, _, err = s.memberFor(ctx, cur, id, models.ActEditDetails); err != nil {
			return err
		}
		req := edit(m)
		if req.Department == m.Department {
			req.DepartmentID = m.DepartmentID
		} else if req.DepartmentID, req.Department, err = s.departmentNamed(ctx, cur, req.Department); err != nil {
			return err
		}
		var what []string
		for _, f := range []struct{ name, old, new string }{
			{"department", m.Department, req.Department}, {"position", m.Position, req.Position},
			{"job ID", m.JobID, req.JobID}, {"location", m.Location, req.Location},
		} {
			if f.old != f.new {
				what = append(what, fmt.Sprintf("%s %q → %q", f.name, f.old, f.new))
			}
		}
		if len(what) == 0 {
			return nil
		}
		if err := s.st.UpdateMemberDetails(ctx, m, req); err != nil {
			return err
		}
		return s.st.Audit(ctx, cur.EventOn(models.ActionDetailsChanged, m, strings.Join(what, "; ")), meta)
	})
	return m, err
}

// ResetMFA is an admin's "Reset MFA" for a member: every second factor and recovery code of
// the account is removed and its sessions end, so the member enrolls again at their next
// login. Factors belong to the account, not the membership: an admin here may not strip them
// from someone who is also a member of an organization this admin doesn't run.
func (s *Service) ResetMFA(ctx context.Context, cur *models.Current, id int64, meta models.Meta) (*models.Membership, error) {
	var m *models.Membership
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		var err error
		if m, _, err = s.memberFor(ctx, cur, id, models.ActResetMFA); err != nil {
			return err
		}
		if err := models.CheckManageOwner(cur.Actor(), models.TargetOf(m)); err != nil {
			return err
		}
		elsewhere, err := s.st.CountMembershipsNotAdministeredBy(ctx, *m.UserID, cur.Org.ID, cur.User.ID)
		if err != nil {
			return err
		}
		if elsewhere > 0 {
			return &models.RuleError{Msg: m.DisplayName() + " also belongs to an organization you don't administer, so only they (on their Account page) or an admin of every one of their organizations can reset it."}
		}
		if err := s.st.ClearMFA(ctx, *m.UserID); err != nil {
			return err
		}
		return s.st.Audit(ctx, cur.EventOn(models.ActionMFAReset, m, ""), meta)
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("MFA reset", "member", m.ID, "by", cur.User.ID)
	return m, nil
}

// FindMember returns one member of the current organization for a dialog. Ids that are
// unknown or another organization's are models.ErrNotFound alike.
func (s *Service) FindMember(ctx context.Context, cur *models.Current, id int64) (*models.Membership, error) {
	if !cur.Can(models.PermViewData) {
		return nil, models.ErrForbidden
	}
	return s.st.FindMember(ctx, cur.Org.ID, id)
}

// FindInviters lists the current organization's active Owners and Admins, for telling a
// member who may not invite whom to ask.
func (s *Service) FindInviters(ctx context.Context, cur *models.Current) ([]models.Membership, error) {
	if !cur.Can(models.PermViewData) {
		return nil, models.ErrForbidden
	}
	return s.st.FindInviters(ctx, cur.Org.ID)
}
