package app_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/store/storetest"
)

func TestAcceptInvitation(t *testing.T) {
	ctx := context.Background()
	viewer := []models.Role{models.RoleViewer}

	t.Run("creates the account and audits it", func(t *testing.T) {
		f := newAcme(t)
		raw := f.invite(t, f.owner, []models.Role{models.RoleEditor}, "ada@example.com")["ada@example.com"]
		f.clock.Advance(time.Hour)
		before := f.state(t)
		u, info, err := f.app.AcceptInvitation(ctx, raw, signup(" Ada ", "Lovelace"), testMeta)
		if err != nil {
			t.Fatal(err)
		}
		if after := f.state(t); after.users != before.users+1 || after.audit != before.audit+1 {
			t.Errorf("after accept %+v, before %+v", after, before)
		}
		if u.FirstName != "Ada" || !models.CheckPassword(u.PasswordHash, storetest.Password) || info.Org.ID != f.org.ID {
			t.Errorf("user %+v, org %d", u, info.Org.ID)
		}
		m := f.member(t, "ada@example.com")
		if m.Status != models.StatusActive || *m.UserID != u.ID || m.NameKey != "ada lovelace" {
			t.Errorf("membership %+v", m)
		}
		evs := f.auditOf(t, models.ActionSignedUp, m.ID)
		if len(evs) != 1 || *evs[0].ActorUserID != u.ID || evs[0].TargetEmail != "ada@example.com" || evs[0].IP != testMeta.IP {
			t.Errorf("signed-up events %+v", evs)
		}
		if _, _, err := f.app.AcceptInvitation(ctx, raw, signup("Ada", "Lovelace"), testMeta); !errors.Is(err, models.ErrGone) {
			t.Errorf("second accept = %v, want gone", err)
		}
	})

	t.Run("invalid input changes nothing", func(t *testing.T) {
		f := newAcme(t)
		raw := f.invite(t, f.owner, viewer, "ada@example.com")["ada@example.com"]
		before := f.state(t)
		req := signup("", "Lovelace")
		req.Confirm = "something else"
		_, info, err := f.app.AcceptInvitation(ctx, raw, req, testMeta)
		var fe models.FieldErrors
		if !errors.As(err, &fe) || fe["first_name"] == "" || info == nil || info.Invitation.Email != "ada@example.com" {
			t.Errorf("AcceptInvitation = %v, %+v; want field errors with the invitation", err, info)
		}
		f.unchanged(t, before, "an invalid signup")
	})

	t.Run("unknown token", func(t *testing.T) {
		f := newAcme(t)
		raw, _ := models.NewToken()
		if _, _, err := f.app.AcceptInvitation(ctx, raw, signup("A", "B"), testMeta); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("accept = %v, want ErrNotFound", err)
		}
	})

	// Of many parallel submits of one link exactly one creates the account: the link is
	// claimed inside the use case's transaction.
	t.Run("parallel submits create one account", func(t *testing.T) {
		f := newAcme(t)
		raw := f.invite(t, f.owner, viewer, "ada@example.com")["ada@example.com"]
		before := f.state(t)
		var ok, used atomic.Int32
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				_, _, err := f.app.AcceptInvitation(ctx, raw, signup(fmt.Sprint("Ada", i), "L"), testMeta)
				var le *models.LinkError
				switch {
				case err == nil:
					ok.Add(1)
				case errors.As(err, &le) && le.State == models.LinkUsed:
					used.Add(1)
				default:
					t.Errorf("submit %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 1 || used.Load() != 19 {
			t.Errorf("%d accepted, %d told used; want 1 and 19", ok.Load(), used.Load())
		}
		if after := f.state(t); after.users != before.users+1 || after.members[models.StatusActive] != before.members[models.StatusActive]+1 {
			t.Errorf("after parallel submits %+v, before %+v", after, before)
		}
		if evs := f.auditOf(t, models.ActionSignedUp, f.member(t, "ada@example.com").ID); len(evs) != 1 {
			t.Errorf("%d signed-up events, want 1", len(evs))
		}
	})
}

// An invitation to an email that already has a Gatehouse account (in another organization)
// looks to the inviter exactly like any other (issue 8, finding 13); the invited person is
// told to log in, and the invitation stays open.
func TestInviteExistingAccount(t *testing.T) {
	ctx := context.Background()
	f := newAcme(t)
	viewer := []models.Role{models.RoleViewer}
	// What the inviter gets back, with and without an account behind the email.
	outcome := func(email string) (models.InviteOutcome, string) {
		out, err := f.app.Invite(ctx, f.owner, models.InviteRequest{Emails: email, Roles: viewer}, testMeta)
		if err != nil || len(out) != 1 {
			t.Fatalf("Invite(%s) = %+v, %v", email, out, err)
		}
		msgs := f.messagesOf(t, email)
		body := strings.ReplaceAll(linkRE.ReplaceAllString(msgs[len(msgs)-1].TextBody, "/invite/TOKEN"), email, "EMAIL")
		o := out[0]
		o.Email = strings.ReplaceAll(o.Email, email, "EMAIL")
		return o, body
	}
	// This fixture has one organization, so an account that belongs elsewhere is modelled
	// by an account whose membership here is revoked: to Invite it is an email without a
	// membership, exactly like a stranger's. (handlers' TestInviteExistingAccountLooksTheSame
	// uses a real second organization.)
	other := "gus2@globex.test"
	storetest.CreateOwner(t, f.st, other, "Acme")
	m := f.member(t, other)
	if err := f.st.RevokeInvitations(ctx, &m, models.StatusRevoked); err != nil {
		t.Fatal(err)
	}
	withAccount, withBody := outcome(other)
	without, withoutBody := outcome("gwen@example.com")
	if withAccount != without || withBody != withoutBody {
		t.Errorf("the inviter sees %+v / %q for an email with an account, %+v / %q without", withAccount, withBody, without, withoutBody)
	}
	if withAccount.Result != models.InviteSent {
		t.Errorf("result %s, want sent", withAccount.Result)
	}
	if copied, err := f.app.CopyInviteLink(ctx, f.owner, f.member(t, other).ID, testMeta); err != nil || copied == "" {
		t.Errorf("CopyInviteLink = %q, %v", copied, err)
	}

	// The invited person opening the link is told to log in; nothing changes.
	raw := f.lastLinkOrCopied(t, other)
	before := f.state(t)
	if _, err := f.app.Invitation(ctx, raw); !errors.Is(err, app.ErrHasAccount) {
		t.Errorf("Invitation = %v, want ErrHasAccount", err)
	}
	if _, _, err := f.app.AcceptInvitation(ctx, raw, signup("Gus", "Two"), testMeta); !errors.Is(err, app.ErrHasAccount) {
		t.Errorf("AcceptInvitation = %v, want ErrHasAccount", err)
	}
	f.unchanged(t, before, "signing up with an existing account")
	if info, _ := f.st.FindInvitation(ctx, raw); info.State != models.LinkLive {
		t.Errorf("the invitation is %s, want still open", info.State)
	}
}

// lastLinkOrCopied is the newest live link of the member with that email.
func (f *team) lastLinkOrCopied(t *testing.T, email string) string {
	t.Helper()
	link, err := f.app.CopyInviteLink(context.Background(), f.owner, f.member(t, email).ID, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	return link[strings.LastIndex(link, "/")+1:]
}
