package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The OpenID Connect section of an app's page: add a client (the secret shown once), bad
// redirect URIs refused with the input kept, remove; Viewers may not.
func TestOIDCClientsPage(t *testing.T) {
	g := newGateTeam(t)
	path := fmt.Sprintf("/apps/%d", g.grafana)
	g.owner.get(path)
	bad := "http://grafana.example.com/login/generic_oauth"
	p := g.owner.post(path+"/oidc-clients", url.Values{"redirect_uris": {bad}})
	if p.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.text("#f-redirect-uris-error"), "use https") {
		t.Errorf("http redirect URI: %d %q, want 422 asking for https", p.StatusCode, p.text("#f-redirect-uris-error"))
	}
	if v := p.Doc.Find("#f-redirect-uris").Text(); v != bad {
		t.Errorf("the form kept %q", v)
	}
	p = g.owner.post(path+"/oidc-clients", url.Values{"redirect_uris": {"https://grafana.example.com/login/generic_oauth"}})
	if p.StatusCode != http.StatusOK || p.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("add client: %d, Cache-Control %q", p.StatusCode, p.Header.Get("Cache-Control"))
	}
	codes := p.Doc.Find("#oidc .flash code")
	if codes.Length() != 2 {
		t.Fatalf("the new client shows %d codes, want the client id and secret", codes.Length())
	}
	clientID, secret := codes.Eq(0).Text(), codes.Eq(1).Text()
	if !strings.HasPrefix(clientID, "gh-") || len(secret) < 40 {
		t.Errorf("client id %q, secret %q", clientID, secret)
	}
	again := g.owner.get(path)
	if strings.Contains(again.Body, secret) || !strings.Contains(again.Body, clientID) {
		t.Error("the edit page shows the secret again, or not the client")
	}
	if p := g.vicC.post(path+"/oidc-clients", url.Values{"redirect_uris": {"https://x.example.com/cb"}}); p.StatusCode != http.StatusForbidden {
		t.Errorf("Viewer adding a client: %d, want 403", p.StatusCode)
	}
	action, _ := again.Doc.Find(`#oidc form[action$="/remove"]`).Attr("action")
	if p := g.owner.post(action, nil); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove %q: %d", action, p.StatusCode)
	}
	if strings.Contains(g.owner.get(path).Body, clientID) {
		t.Error("the removed client is still listed")
	}
}
