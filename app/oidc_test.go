package app_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"gatehouse/app"
	"gatehouse/models"
)

func TestOIDCClients(t *testing.T) {
	f := newTeam(t)
	ctx := context.Background()
	wiki, err := f.app.AddApp(ctx, f.owner, models.AppRequest{Name: "Wiki", URLs: "wiki.acme.test"}, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	uris := "https://wiki.acme.test/oauth/callback\nhttp://localhost:3000/cb"
	nc, err := f.app.AddOIDCClient(ctx, f.ada, wiki.ID, models.OIDCClientRequest{RedirectURIs: uris}, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	if nc.Secret == "" || string(nc.Client.SecretHash) != string(models.HashToken(nc.Secret)) || !strings.HasPrefix(nc.Client.ClientID, "gh-") {
		t.Errorf("new client %+v: want a client id, a secret and its hash", nc.Client)
	}
	list, err := f.app.ListOIDCClients(ctx, f.owner, wiki.ID)
	if err != nil || len(list) != 1 || list[0].ClientID != nc.Client.ClientID || strings.Join(list[0].Redirects(), "\n") != uris {
		t.Fatalf("ListOIDCClients = %+v, %v", list, err)
	}
	if strings.Contains(string(list[0].SecretHash), nc.Secret) {
		t.Error("the secret is stored as it is")
	}

	// Only those who manage the organization; redirect URIs validated.
	for _, who := range []*models.Current{f.ed, f.vic} {
		if _, err := f.app.AddOIDCClient(ctx, who, wiki.ID, models.OIDCClientRequest{RedirectURIs: "https://x.test/cb"}, testMeta); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("AddOIDCClient by %s: %v", who.User.Email, err)
		}
		if _, err := f.app.ListOIDCClients(ctx, who, wiki.ID); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("ListOIDCClients by %s: %v", who.User.Email, err)
		}
		if err := f.app.RemoveOIDCClient(ctx, who, wiki.ID, nc.Client.ID, testMeta); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("RemoveOIDCClient by %s: %v", who.User.Email, err)
		}
	}
	for _, bad := range []string{"", "wiki.acme.test/cb", "http://wiki.acme.test/cb", "https://wiki.acme.test/cb#x", "ftp://wiki.acme.test/cb", "https://u@wiki.acme.test/cb", "/cb", "https://a.test/cb\nhttps://a.test/cb"} {
		_, err := f.app.AddOIDCClient(ctx, f.owner, wiki.ID, models.OIDCClientRequest{RedirectURIs: bad}, testMeta)
		if fe, ok := err.(models.FieldErrors); !ok || fe["redirect_uris"] == "" {
			t.Errorf("redirect URIs %q: %v, want a message", bad, err)
		}
	}
	for _, good := range []string{"http://127.0.0.1:8080/cb", "https://grafana.acme.test/login/generic_oauth?x=1"} {
		if _, err := f.app.AddOIDCClient(ctx, f.owner, wiki.ID, models.OIDCClientRequest{RedirectURIs: good}, testMeta); err != nil {
			t.Errorf("redirect URI %q: %v", good, err)
		}
	}
	if _, err := f.app.AddOIDCClient(ctx, f.owner, 424242, models.OIDCClientRequest{RedirectURIs: "https://x.test/cb"}, testMeta); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("an unknown app: %v", err)
	}
	if err := f.app.RemoveOIDCClient(ctx, f.owner, wiki.ID, 424242, testMeta); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("an unknown client: %v", err)
	}
	if err := f.app.RemoveOIDCClient(ctx, f.owner, wiki.ID, nc.Client.ID, testMeta); err != nil {
		t.Fatal(err)
	}
	if list, _ := f.app.ListOIDCClients(ctx, f.owner, wiki.ID); len(list) != 2 {
		t.Errorf("after removal: %d clients, want 2", len(list))
	}
}

// Deleting the app deletes its clients.
func TestOIDCClientsGoWithTheApp(t *testing.T) {
	f := newTeam(t)
	ctx := context.Background()
	wiki, err := f.app.AddApp(ctx, f.owner, models.AppRequest{Name: "Wiki", URLs: "wiki.acme.test"}, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := f.app.AddOIDCClient(ctx, f.owner, wiki.ID, models.OIDCClientRequest{RedirectURIs: "https://wiki.acme.test/cb"}, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.app.DeleteApp(ctx, f.owner, wiki.ID, testMeta); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.OIDCStorage().GetClientByClientID(ctx, nc.Client.ClientID); err == nil {
		t.Error("the deleted app's client still signs people in")
	}
}

// Rotating the signing key: Owners only; the new key signs, the retired one stays published
// for a day, and a rotation after that day drops it.
func TestRotateSigningKey(t *testing.T) {
	f := newTeam(t)
	ctx := context.Background()
	o := f.app.OIDCStorage()
	kids := func() []string {
		t.Helper()
		keys, err := o.KeySet(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, k := range keys {
			out = append(out, k.ID())
		}
		return out
	}
	signing := func() string {
		t.Helper()
		k, err := o.SigningKey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return k.ID()
	}
	first := signing() // generated on first use
	if got := kids(); len(got) != 1 || got[0] != first {
		t.Fatalf("JWKS before rotation: %v, want [%s]", got, first)
	}

	for _, who := range []*models.Current{f.ada, f.ed, f.vic} {
		if _, err := f.app.RotateSigningKey(ctx, who, testMeta); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("RotateSigningKey by %s: %v, want forbidden", who.User.Email, err)
		}
	}
	if signing() != first {
		t.Fatal("a refused rotation changed the key")
	}

	res, err := f.app.RotateSigningKey(ctx, f.owen, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	if res.KeyID == first || len(res.Retired) != 1 || res.Retired[0] != first {
		t.Fatalf("RotateSigningKey = %+v, want a new key and %s retired", res, first)
	}
	if got := signing(); got != res.KeyID {
		t.Errorf("signing with %s after rotation, want the new %s", got, res.KeyID)
	}
	if got := kids(); len(got) != 2 || !slices.Contains(got, first) || !slices.Contains(got, res.KeyID) {
		t.Errorf("JWKS after rotation: %v, want the new and the retired key", got)
	}
	evs, err := f.st.FindAuditEvents(ctx, models.AuditFilter{OrgID: &f.org.ID, Action: models.ActionOIDCKeyRotated})
	if err != nil || len(evs) != 1 || evs[0].ActorEmail != "owen@acme.test" || !strings.Contains(evs[0].Detail, res.KeyID) || !strings.Contains(evs[0].Detail, first) {
		t.Errorf("audit: %+v, %v", evs, err)
	}

	// A day later the retired key is no longer published; the next rotation deletes it.
	f.clock.Advance(app.OIDCRetiredKeyPublished + time.Second)
	if got := kids(); len(got) != 1 || got[0] != res.KeyID {
		t.Errorf("JWKS a day after rotation: %v, want [%s]", got, res.KeyID)
	}
	res2, err := f.app.RotateSigningKey(ctx, f.owner, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	if got := kids(); len(got) != 2 || !slices.Contains(got, res.KeyID) || !slices.Contains(got, res2.KeyID) {
		t.Errorf("JWKS after the second rotation: %v, want [%s %s]", got, res2.KeyID, res.KeyID)
	}
	if rows, err := f.st.OIDCKeys(ctx); err != nil || len(rows) != 2 {
		t.Errorf("stored keys after the second rotation: %d (%v), want 2 (the first deleted)", len(rows), err)
	}
}
