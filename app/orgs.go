package app

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"gatehouse/models"
	"gatehouse/store"
)

// OpenInvitation is an invitation waiting for an existing account's Join or Decline.
type OpenInvitation = store.OpenInvitation

// TopBar is what the signed-in shell shows on every page: the organizations the person may
// switch to and how many invitations wait for them (the bell).
type TopBar struct {
	Orgs          []models.Organization
	Notifications int
}

// TopBar reads the switcher's organizations and the bell's count for cur.
func (s *Service) TopBar(ctx context.Context, cur *models.Current) (TopBar, error) {
	var tb TopBar
	if cur == nil {
		return tb, nil
	}
	var err error
	if tb.Orgs, err = s.st.UserOrgs(ctx, cur.User.ID); err != nil {
		return tb, err
	}
	tb.Notifications, err = s.st.CountOpenInvitations(ctx, cur.User.Email)
	return tb, err
}

// orgEvent is an audit event of action by cur's user in org (nil: no organization's log).
func orgEvent(cur *models.Current, orgID *int64, action models.Action, detail string) models.AuditEvent {
	return models.AuditEvent{OrgID: orgID, ActorUserID: &cur.User.ID, ActorEmail: cur.User.Email, Action: action, Detail: detail}
}

// Switched is a session moved to another organization: the raw token of its new session id.
type Switched struct {
	Org   models.Organization
	Token string
}

// CreateOrganization creates an organization with cur's user as its Owner and moves cur's
// session into it under a new session id. Anyone logged in may, with or without a current
// organization. Invalid names are models.FieldErrors.
func (s *Service) CreateOrganization(ctx context.Context, cur *models.Current, req models.OrgRequest, meta models.Meta) (*Switched, error) {
	if errs := req.Validate(); errs.Any() {
		return nil, errs
	}
	raw, hash := models.NewToken()
	var out *Switched
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		org, m, err := s.st.CreateOrganization(ctx, req.Name, &cur.User)
		if err != nil {
			return err
		}
		if _, err := s.st.ReplaceSession(ctx, &cur.Session, hash, org.ID); err != nil {
			return err
		}
		ev := orgEvent(cur, &org.ID, models.ActionOrgCreated, "organization "+org.Name)
		ev.TargetMembershipID, ev.TargetEmail = &m.ID, m.Email
		if err := s.st.Audit(ctx, ev, meta); err != nil {
			return err
		}
		out = &Switched{Org: *org, Token: raw}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("organization created", "org", out.Org.ID, "user", cur.User.ID)
	return out, nil
}

// SwitchOrganization moves cur's session (and no other) to orgID, where the user must be an
// active member (else models.ErrNotFound, as for an organization that does not exist), under
// a new session id: the old cookie stops working. It is audited in the organization switched to.
func (s *Service) SwitchOrganization(ctx context.Context, cur *models.Current, orgID int64, meta models.Meta) (*Switched, error) {
	raw, hash := models.NewToken()
	var out *Switched
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		m, err := s.st.FindUserMembership(ctx, cur.User.ID, orgID)
		if err != nil {
			return err
		}
		if m.Status != models.StatusActive {
			return models.ErrNotFound
		}
		org, err := s.st.FindOrganization(ctx, orgID)
		if err != nil {
			return err
		}
		if _, err := s.st.ReplaceSession(ctx, &cur.Session, hash, orgID); err != nil {
			return err
		}
		detail := "from " + cur.Org.Name
		if !cur.HasOrg() {
			detail = "from no organization"
		}
		ev := orgEvent(cur, &orgID, models.ActionOrgSwitched, detail)
		ev.TargetMembershipID, ev.TargetEmail = &m.ID, m.Email
		if err := s.st.Audit(ctx, ev, meta); err != nil {
			return err
		}
		out = &Switched{Org: *org, Token: raw}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// moveOff handles a session whose person can no longer act in its organization (terminated,
// revoked, left, the organization deleted) or that has none: it moves the session to another
// organization where they are active, with a Notice saying so, or leaves it without one
// ("You are not a member of any organization"). The login goes on either way. cookieHadOrg
// is whether the browser's cookie remembers an organization: a session left without one by
// the organization's deletion then hears why.
func (s *Service) moveOff(ctx context.Context, cur *models.Current, cookieHadOrg bool) (*models.Current, error) {
	lost := cur.Org.Name
	hadOrg := cur.Session.OrgID != 0 || cookieHadOrg
	orgID, err := s.st.OtherActiveOrg(ctx, cur.User.ID, cur.Session.OrgID)
	if errors.Is(err, models.ErrNotFound) {
		out := *cur
		out.Org, out.Membership, out.Permissions = models.Organization{}, models.Membership{}, models.PermissionSet{}
		if cur.Session.OrgID != 0 {
			if err := s.st.MoveSession(ctx, &cur.Session, nil); err != nil {
				return nil, err
			}
			out.Session.OrgID = 0
		}
		if hadOrg {
			out.Notice = lostNotice(lost, "")
		}
		return &out, nil
	}
	if err != nil {
		return nil, err
	}
	if err := s.st.MoveSession(ctx, &cur.Session, &orgID); err != nil {
		return nil, err
	}
	moved, err := s.st.FindCurrent(ctx, cur.Session.TokenHash)
	if err != nil {
		return nil, err
	}
	if moved.Membership.Status != models.StatusActive {
		// Lost this one too in the meantime: next request tries again.
		out := *moved
		out.Org, out.Membership, out.Permissions = models.Organization{}, models.Membership{}, models.PermissionSet{}
		return &out, nil
	}
	if hadOrg {
		moved.Notice = lostNotice(lost, moved.Org.Name)
	} else {
		moved.Notice = "You are now in " + moved.Org.Name + "."
	}
	return moved, nil
}

// lostNotice says that access to lost ended, and where the person is now ("" for nowhere).
func lostNotice(lost, now string) string {
	msg := "Your access to " + lost + " has ended."
	if lost == "" {
		msg = "The organization you were in is no longer available to you."
	}
	if now != "" {
		msg += " You are now in " + now + "."
	}
	return msg
}

// Notifications lists the invitations waiting for cur's account, from every organization.
func (s *Service) Notifications(ctx context.Context, cur *models.Current) ([]OpenInvitation, error) {
	return s.st.OpenInvitations(ctx, cur.User.Email, 0)
}

// WaitingOrgs lists the organizations where cur's request to join waits for approval.
func (s *Service) WaitingOrgs(ctx context.Context, cur *models.Current) ([]models.Organization, error) {
	return s.st.WaitingOrgs(ctx, cur.User.ID)
}

// OpenInvitation returns one invitation waiting for cur's account: the membership id of a
// notification. Another person's, an answered, expired or withdrawn one is models.ErrNotFound.
func (s *Service) OpenInvitation(ctx context.Context, cur *models.Current, membershipID int64) (*OpenInvitation, error) {
	list, err := s.st.OpenInvitations(ctx, cur.User.Email, membershipID)
	if err != nil {
		return nil, err
	}
	return &list[0], nil
}

// ErrOtherAccount refuses an invitation link opened while logged in to an account with
// another email: the link is bound to the invited address.
var ErrOtherAccount = &models.RuleError{Msg: "This invitation is for another email address. Log out, then open the link again and log in with the invited account."}

// InvitationForAccount is what an emailed invitation link shows an existing account that is
// logged in: the "Join ORGANIZATION?" prompt of that invitation. A link that cannot be used
// is a *models.LinkError (with the info); one for another address ErrOtherAccount.
func (s *Service) InvitationForAccount(ctx context.Context, cur *models.Current, raw string) (*models.InvitationInfo, *OpenInvitation, error) {
	info, err := s.st.FindInvitation(ctx, raw)
	if err != nil {
		return nil, nil, err
	}
	if info.Invitation.Email != cur.User.Email {
		return info, nil, ErrOtherAccount
	}
	if info.State != models.LinkLive {
		return info, nil, &models.LinkError{State: info.State}
	}
	open, err := s.OpenInvitation(ctx, cur, info.Membership.ID)
	if errors.Is(err, models.ErrNotFound) {
		return info, nil, &models.LinkError{State: models.LinkRevoked}
	}
	return info, open, err
}

// JoinInvitation accepts an invitation waiting for cur's account: the membership takes the
// status models.JoinStatus decides (the one signing up through the link takes) with the
// invited roles, the link is spent, and it is audited. When the person had no organization,
// their session moves into this one. The organization joined is returned.
func (s *Service) JoinInvitation(ctx context.Context, cur *models.Current, membershipID int64, meta models.Meta) (*models.Organization, error) {
	return s.answerInvitation(ctx, cur, membershipID, true, meta)
}

// DeclineInvitation refuses an invitation waiting for cur's account: the link is spent, the
// membership stays invited and its row shows "Declined" to the inviter (Reinvite offered), audited.
func (s *Service) DeclineInvitation(ctx context.Context, cur *models.Current, membershipID int64, meta models.Meta) (*models.Organization, error) {
	return s.answerInvitation(ctx, cur, membershipID, false, meta)
}

func (s *Service) answerInvitation(ctx context.Context, cur *models.Current, membershipID int64, join bool, meta models.Meta) (*models.Organization, error) {
	var org *models.Organization
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		open, err := s.OpenInvitation(ctx, cur, membershipID)
		if err != nil {
			return err
		}
		org = &open.Org
		var to models.Status
		action := models.ActionInvitationDeclined
		if join {
			if to, err = models.JoinStatus(open.Org, open.Membership); err != nil {
				return err
			}
			action = models.ActionInvitationJoined
		}
		m, err := s.st.AnswerInvitation(ctx, open.Invitation, &cur.User, to)
		if err != nil {
			return err
		}
		detail := ""
		if join {
			detail = rolesDetail(m.Roles)
		}
		ev := orgEvent(cur, &org.ID, action, detail)
		ev.TargetMembershipID, ev.TargetEmail = &m.ID, m.Email
		if err := s.st.Audit(ctx, ev, meta); err != nil {
			return err
		}
		if join && to == models.StatusActive && !cur.HasOrg() {
			return s.st.MoveSession(ctx, &cur.Session, &org.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return org, nil
}

// LeaveOrganization ends cur's own membership in the current organization (refused for its
// last active Owner), audited, and moves the session to another organization where they are
// active, returned (nil: none left).
func (s *Service) LeaveOrganization(ctx context.Context, cur *models.Current, meta models.Meta) (*models.Organization, error) {
	var next *models.Organization
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		if slices.Contains(cur.Membership.Roles, models.RoleOwner) {
			owners, err := s.st.CountActiveOwners(ctx, cur.Org.ID)
			if err != nil {
				return err
			}
			if owners <= 1 {
				return &models.RuleError{Msg: "You are the last Owner of " + cur.Org.Name +
					": make another member an Owner first, or delete the organization."}
			}
		}
		if err := s.st.Audit(ctx, selfEvent(cur, models.ActionOrgLeft, ""), meta); err != nil {
			return err
		}
		if err := s.st.DeleteMembership(ctx, &cur.Membership); err != nil {
			return err
		}
		var err error
		next, err = s.moveSessionOn(ctx, cur)
		return err
	})
	if err != nil {
		return nil, err
	}
	return next, nil
}

// moveSessionOn moves cur's session out of its organization to another active one, or to none.
func (s *Service) moveSessionOn(ctx context.Context, cur *models.Current) (*models.Organization, error) {
	orgID, err := s.st.OtherActiveOrg(ctx, cur.User.ID, cur.Org.ID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, s.st.MoveSession(ctx, &cur.Session, nil)
	}
	if err != nil {
		return nil, err
	}
	if err := s.st.MoveSession(ctx, &cur.Session, &orgID); err != nil {
		return nil, err
	}
	return s.st.FindOrganization(ctx, orgID)
}

// DeleteOrganization deletes cur's current organization (Owners only) once confirm is its
// name: memberships, links, apps and its audit log end with it, accounts stay, and every
// member's session in it moves to another of their organizations on its next request. The
// event is kept in the log of no organization (the deleted one's log goes with it).
func (s *Service) DeleteOrganization(ctx context.Context, cur *models.Current, confirm string, meta models.Meta) (*models.Organization, error) {
	if !cur.Can(models.PermManageOwners) {
		return nil, models.ErrForbidden
	}
	if strings.TrimSpace(confirm) != cur.Org.Name {
		return nil, models.FieldErrors{"confirm": "Type the organization's name exactly as shown: " + cur.Org.Name}
	}
	var next *models.Organization
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.DeleteOrganization(ctx, cur.Org.ID); err != nil {
			return err
		}
		ev := orgEvent(cur, nil, models.ActionOrgDeleted, "organization "+cur.Org.Name)
		if err := s.st.Audit(ctx, ev, meta); err != nil {
			return err
		}
		var err error
		next, err = s.moveSessionOn(ctx, cur)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("organization deleted", "org", cur.Org.ID, "user", cur.User.ID)
	return next, nil
}

// People is what the invite dialog's "People from your other organizations" shows: those
// found by the search and those already picked (ids), all sharing an active organization
// other than the current one with cur. Available is false when cur has no other organization.
type People struct {
	Found, Picked []models.User
	Available     bool
}

// maxPeopleFound bounds the search's list.
const maxPeopleFound = 20

// SearchPeople searches "People from your other organizations" by the start of a name or
// email; picked ids that are not such people are dropped.
func (s *Service) SearchPeople(ctx context.Context, cur *models.Current, term string, picked []int64) (*People, error) {
	if !s.MayInvite(cur) {
		return nil, models.ErrForbidden
	}
	term = strings.TrimSpace(term)
	if len(term) > models.MaxEmailLen {
		term = term[:models.MaxEmailLen]
	}
	var out People
	orgs, err := s.st.UserOrgs(ctx, cur.User.ID)
	if err != nil {
		return nil, err
	}
	if out.Available = len(orgs) > 1; !out.Available {
		return &out, nil
	}
	if out.Found, err = s.st.SearchAcquaintances(ctx, cur.User.ID, cur.Org.ID, term, nil, maxPeopleFound); err != nil {
		return nil, err
	}
	if len(picked) > 0 {
		if out.Picked, err = s.st.SearchAcquaintances(ctx, cur.User.ID, cur.Org.ID, "", picked, models.MaxInvitesPerSubmission); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

// pickedEmails returns the emails of the people picked by account id in the invite dialog.
// An id that is not someone sharing an active organization (other than the current one)
// with cur is models.ErrNotFound: nobody invites a stranger by guessing ids.
func (s *Service) pickedEmails(ctx context.Context, cur *models.Current, ids []int64) ([]string, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) > models.MaxInvitesPerSubmission {
		return nil, models.FieldErrors{"emails": "You can invite at most " + strconv.Itoa(models.MaxInvitesPerSubmission) + " people at once."}
	}
	people, err := s.st.SearchAcquaintances(ctx, cur.User.ID, cur.Org.ID, "", ids, len(ids))
	if err != nil {
		return nil, err
	}
	if len(people) != len(ids) {
		return nil, models.ErrNotFound
	}
	out := make([]string, len(people))
	for i, u := range people {
		out[i] = u.Email
	}
	return out, nil
}
