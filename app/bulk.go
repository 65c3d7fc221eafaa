package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"gatehouse/models"
)

// MaxBulk bounds one bulk action on ticked rows: a Users page shows at most 100 members.
const MaxBulk = 100

// MaxBulkMatching bounds one bulk action on every member matching a filter ("Select all N
// matching"). Past it the action is refused as a whole, asking for a narrower filter, rather
// than applied to an arbitrary first part: each member is one transaction, and 5,000 of
// them keep the writer about ten seconds.
const MaxBulkMatching = 5000

// BulkActions are the actions offered to a selection on each Users page tab.
var BulkActions = map[models.Tab][]models.MemberAction{
	models.TabActive:      {models.ActTerminate, models.ActEditDetails},
	models.TabInactivated: {models.ActReinvite, models.ActRevoke},
	models.TabPending:     {models.ActApprove, models.ActReject},
	models.TabTerminated:  {models.ActRestore},
}

// BulkFailure is a selected member the action was refused for, and why.
type BulkFailure struct {
	Email, Reason string
}

// BulkResult says how a bulk action went.
type BulkResult struct {
	Succeeded int
	Failed    []BulkFailure
}

// BulkAction applies act to each selected member (the ticked rows, at most MaxBulk, or every
// member MatchingMembers listed, at most MaxBulkMatching) through the one-member use case (its rules,
// its transaction, its audit event, whose detail names the operation: "bulk 3f9a2c"), so one
// refusal (the last Owner, yourself) never stops the others, then audits the operation once,
// under the same name, with the count.
func (s *Service) BulkAction(ctx context.Context, cur *models.Current, act models.MemberAction, ids []int64, meta models.Meta) (*BulkResult, error) {
	if !cur.Can(act.Permission()) {
		return nil, models.ErrForbidden
	}
	allowed := false
	for _, acts := range BulkActions {
		for _, a := range acts {
			allowed = allowed || a == act
		}
	}
	if !allowed {
		return nil, models.FieldErrors{"action": "Choose an action from the list."}
	}
	if len(ids) == 0 {
		return nil, models.FieldErrors{"ids": "Select at least one member."}
	}
	if len(ids) > MaxBulkMatching {
		return nil, models.FieldErrors{"ids": "Select at most " + formatCount(MaxBulkMatching) + " members at once."}
	}
	if act == models.ActEditDetails {
		return nil, models.FieldErrors{"action": "Edit details asks what to change: use BulkEditDetails."}
	}
	return s.bulk(ctx, cur, act.Label(), ids, func(id int64, meta models.Meta) error {
		var err error
		switch act {
		case models.ActReinvite:
			_, err = s.Reinvite(ctx, cur, id, meta)
		case models.ActRevoke:
			_, err = s.RevokeInvitation(ctx, cur, id, meta)
		default:
			_, err = s.ChangeMemberStatus(ctx, cur, id, act, meta)
		}
		return err
	}, meta)
}

// BulkEditDetails is Edit details for the selected members (at most MaxBulk, or
// MaxBulkMatching when they come from MatchingMembers): department, position and location
// each left unchanged, set or cleared, through the one-member use case's rules, one
// transaction and one audit event per member naming the operation, as BulkAction.
func (s *Service) BulkEditDetails(ctx context.Context, cur *models.Current, ids []int64, req models.BulkDetailsRequest, meta models.Meta) (*BulkResult, error) {
	if !cur.Can(models.ActEditDetails.Permission()) {
		return nil, models.ErrForbidden
	}
	if errs := req.Validate(); errs.Any() {
		return nil, errs
	}
	if len(ids) == 0 {
		return nil, models.FieldErrors{"ids": "Select at least one member."}
	}
	if len(ids) > MaxBulkMatching {
		return nil, models.FieldErrors{"ids": "Select at most " + formatCount(MaxBulkMatching) + " members at once."}
	}
	edit := func(m *models.Membership) models.MemberDetailsRequest {
		return req.Apply(models.MemberDetailsRequest{Department: m.Department, Position: m.Position, JobID: m.JobID, Location: m.Location})
	}
	return s.bulk(ctx, cur, models.ActEditDetails.Label(), ids, func(id int64, meta models.Meta) error {
		_, err := s.updateDetails(ctx, cur, id, edit, meta)
		return err
	}, meta)
}

// MatchingMembers re-reads, server side, the ids of every member a Users page tab and filter
// lists (f without its cursor and limit), for "Select all N matching": at most
// MaxBulkMatching, else a field error saying how many match and asking for a narrower filter.
func (s *Service) MatchingMembers(ctx context.Context, cur *models.Current, f models.MemberFilter) ([]int64, error) {
	if err := canFilter(cur, f); err != nil {
		return nil, err
	}
	ids, err := s.st.MatchingIDs(ctx, cur.Org.ID, f, MaxBulkMatching)
	if err != nil {
		return nil, err
	}
	if len(ids) > MaxBulkMatching {
		return nil, models.FieldErrors{"ids": "More than " + formatCount(MaxBulkMatching) + " members match: a bulk action applies to at most " +
			formatCount(MaxBulkMatching) + ". Narrow the search or filters and try again."}
	}
	return ids, nil
}

// CountMatching counts the members a Users page tab and filter lists, for "Select all N
// matching", up to MaxBulkMatching+1 (past the cap the exact number is not needed).
func (s *Service) CountMatching(ctx context.Context, cur *models.Current, f models.MemberFilter) (int, error) {
	if err := canFilter(cur, f); err != nil {
		return 0, err
	}
	if f.Query == "" && !f.NoMFA && f.AppID == 0 && f.DeptID == 0 {
		// A whole tab: its count is kept by the database (the tabs show it), not counted here.
		counts, err := s.st.MemberCounts(ctx, cur.Org.ID)
		if err != nil {
			return 0, err
		}
		return int(min(counts[f.Status], MaxBulkMatching+1)), nil
	}
	return s.st.CountMatching(ctx, cur.Org.ID, f, MaxBulkMatching)
}

// bulk applies one to each id once (its own use case, its own transaction, its audit event
// naming the operation: "bulk 3f9a2c"), so a refusal (the last Owner, yourself) never stops
// the others, then audits the operation once, under the same name, with the count.
func (s *Service) bulk(ctx context.Context, cur *models.Current, label string, ids []int64, one func(id int64, meta models.Meta) error, meta models.Meta) (*BulkResult, error) {
	res := &BulkResult{}
	seen := map[int64]bool{}
	tag := make([]byte, 3)
	rand.Read(tag)
	meta.Via = "bulk " + hex.EncodeToString(tag)
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		err := one(id, meta)
		if err == nil {
			res.Succeeded++
			continue
		}
		email := "#" + strconv.FormatInt(id, 10)
		if found, ferr := s.st.FindMember(ctx, cur.Org.ID, id); ferr == nil {
			email = found.Email
		}
		res.Failed = append(res.Failed, BulkFailure{Email: email, Reason: bulkReason(err)})
	}
	detail := strings.ToLower(label) + ": " + strconv.Itoa(res.Succeeded) + " of " + strconv.Itoa(len(seen)) + " succeeded"
	err := s.st.InTx(ctx, func(ctx context.Context) error { return s.st.Audit(ctx, cur.Event(models.ActionBulk, detail), meta) })
	return res, err
}

// formatCount writes n with thousands separators: 5,000.
func formatCount(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func bulkReason(err error) string {
	switch {
	case errors.Is(err, models.ErrNotFound):
		return "No longer in the organization."
	case errors.Is(err, models.ErrForbidden):
		return "You are not allowed to do this."
	}
	if msg := models.RefusalMessage(err); msg != "" {
		return msg
	}
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		for _, msg := range fe {
			return msg
		}
	}
	return "Failed: try again."
}
