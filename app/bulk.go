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

// MaxBulk bounds one bulk action: a Users page shows at most 100 members.
const MaxBulk = 100

// BulkActions are the actions offered to a selection on each Users page tab.
var BulkActions = map[models.Tab][]models.MemberAction{
	models.TabActive:      {models.ActTerminate},
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

// BulkAction applies act to each selected member through the one-member use case (its rules,
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
	if len(ids) > MaxBulk {
		return nil, models.FieldErrors{"ids": "Select at most " + strconv.Itoa(MaxBulk) + " members at once."}
	}
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
		var err error
		switch act {
		case models.ActReinvite:
			_, err = s.Reinvite(ctx, cur, id, meta)
		case models.ActRevoke:
			_, err = s.RevokeInvitation(ctx, cur, id, meta)
		default:
			_, err = s.ChangeMemberStatus(ctx, cur, id, act, meta)
		}
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
	detail := strings.ToLower(act.Label()) + ": " + strconv.Itoa(res.Succeeded) + " of " + strconv.Itoa(len(seen)) + " succeeded"
	err := s.st.InTx(ctx, func(ctx context.Context) error { return s.st.Audit(ctx, cur.Event(models.ActionBulk, detail), meta) })
	return res, err
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
	return "Failed: try again."
}
