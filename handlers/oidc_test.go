package handlers_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// rp is a relying party (go-oidc and x/oauth2 with PKCE) in its own test server: /cb
// exchanges the code and verifies the ID token against Gatehouse's JWKS.
type rp struct {
	t        *testing.T
	srv      *httptest.Server
	conf     oauth2.Config
	verifier *oidc.IDTokenVerifier
	provider *oidc.Provider
	pkce     string
	token    *oauth2.Token
	claims   map[string]any
}

func newRP(t *testing.T, issuer string) *rp {
	t.Helper()
	r := &rp{t: t}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/start" { // a browser starts signing in here
			r.pkce = oauth2.GenerateVerifier()
			http.Redirect(w, req, r.conf.AuthCodeURL("state-b", oauth2.S256ChallengeOption(r.pkce)), http.StatusFound)
			return
		}
		if e := req.URL.Query().Get("error"); e != "" {
			http.Error(w, "refused: "+e, http.StatusForbidden)
			return
		}
		tok, err := r.conf.Exchange(req.Context(), req.URL.Query().Get("code"), oauth2.VerifierOption(r.pkce))
		if err != nil {
			http.Error(w, "exchange: "+err.Error(), http.StatusBadGateway)
			return
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := r.verifier.Verify(req.Context(), raw)
		if err != nil {
			http.Error(w, "verify: "+err.Error(), http.StatusBadGateway)
			return
		}
		r.claims = map[string]any{}
		idt.Claims(&r.claims)
		r.token = tok
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><title>Relying party</title><h1>Signed in</h1><p id="email">%s</p><p id="groups">%v</p>`,
			html.EscapeString(fmt.Sprint(r.claims["email"])), html.EscapeString(fmt.Sprint(r.claims["groups"])))
	}))
	t.Cleanup(r.srv.Close)
	p, err := oidc.NewProvider(context.Background(), issuer)
	if err != nil {
		t.Fatal(err)
	}
	r.provider = p
	return r
}

func (r *rp) configure(clientID, secret string) {
	r.conf = oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: r.provider.Endpoint(),
		RedirectURL: r.srv.URL + "/cb", Scopes: []string{oidc.ScopeOpenID, "email", "profile", oidc.ScopeOfflineAccess}}
	r.verifier = r.provider.Verifier(&oidc.Config{ClientID: clientID})
	r.conf.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
}

// signIn follows the flow with the browser c from the RP's authorization URL to the RP's
// callback (or wherever it stops) and returns the last page.
func (r *rp) signIn(c *client, opts ...oauth2.AuthCodeOption) *page {
	r.t.Helper()
	r.pkce = oauth2.GenerateVerifier()
	r.token, r.claims = nil, nil
	next := r.conf.AuthCodeURL("state-1", append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(r.pkce)}, opts...)...)
	var p *page
	for range 10 {
		req, _ := http.NewRequest(http.MethodGet, next, nil)
		p = c.do(req)
		to := p.location()
		if cont, ok := p.Doc.Find(`meta[http-equiv="refresh"]`).Attr("content"); ok && p.StatusCode == http.StatusOK {
			to = strings.TrimPrefix(cont, "0;url=") // the continue page, as a browser follows it
		} else if p.StatusCode < 300 || p.StatusCode >= 400 {
			return p
		}
		loc, err := p.Request.URL.Parse(to)
		if err != nil {
			r.t.Fatal(err)
		}
		next = loc.String()
	}
	r.t.Fatalf("too many redirects, last %s", next)
	return nil
}

// addClient adds an OIDC client to app through its page and returns its id and secret.
func (g *gateTeam) addClient(appID int64, redirect string) (string, string) {
	g.app.t.Helper()
	path := fmt.Sprintf("/apps/%d", appID)
	g.owner.get(path)
	p := g.owner.post(path+"/oidc-clients", url.Values{"redirect_uris": {redirect}})
	codes := p.Doc.Find("#oidc .flash code")
	if p.StatusCode != http.StatusOK || codes.Length() != 2 {
		g.app.t.Fatalf("add client: %d %s", p.StatusCode, p.text(".field-error"))
	}
	return codes.Eq(0).Text(), codes.Eq(1).Text()
}

func TestOIDCCodeFlow(t *testing.T) {
	g := newGateTeam(t)
	issuer := g.app.Server.URL
	r := newRP(t, issuer)
	id, secret := g.addClient(g.grafana, r.srv.URL+"/cb")
	r.configure(id, secret)

	// Discovery names the endpoints under the issuer; PKCE S256 is offered.
	var disc struct {
		Issuer  string   `json:"issuer"`
		Methods []string `json:"code_challenge_methods_supported"`
	}
	if err := r.provider.Claims(&disc); err != nil || disc.Issuer != issuer || !slices.Contains(disc.Methods, "S256") {
		t.Errorf("discovery: %+v %v", disc, err)
	}

	// Not logged in: the authorization request goes through Gatehouse's login.
	anon := g.app.newClient()
	p := anon.do(mustGet(t, r.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))))
	if p.StatusCode != http.StatusFound && p.StatusCode != http.StatusSeeOther {
		t.Fatalf("authorize: %d %s", p.StatusCode, p.Body)
	}
	login := anon.do(mustGet(t, issuer+p.location()))
	if loc := login.location(); !strings.HasPrefix(loc, "/login?next=%2Foidc%2Flogin%3Fid%3D") {
		t.Errorf("anonymous: sent to %q, want the login page with next", loc)
	}
	// Logging in there (Ada, an Admin without Grafana) returns to the request, and then to
	// an error page: no code.
	form := anon.get(login.location())
	next, _ := form.Doc.Find(`input[name="next"]`).Attr("value")
	back := anon.post("/login", url.Values{"email": {"ada@example.com"}, "password": {testPassword}, "next": {next}})
	if back.location() != next || !strings.HasPrefix(next, "/oidc/login?id=") {
		t.Fatalf("after login: sent to %q, want %q", back.location(), next)
	}
	if p := anon.get(next); p.StatusCode != http.StatusForbidden || p.text("h1") != "No access to this app" {
		t.Errorf("Ada without Grafana after login: %d, want 403", p.StatusCode)
	}

	// Vic (Viewer, given Grafana) signs in: the ID token verifies, with the claims.
	p = r.signIn(g.vicC)
	if p.StatusCode != http.StatusOK || r.token == nil {
		t.Log(g.app.Logs.String())
		t.Fatalf("Vic's sign-in ended %d at %s: %s", p.StatusCode, p.Request.URL, p.Body)
	}
	if r.claims["sub"] != fmt.Sprint(*g.vic.UserID) || r.claims["email"] != "vic@example.com" || r.claims["email_verified"] != true || r.claims["name"] != "Vic Viewer" {
		t.Errorf("claims %v", r.claims)
	}
	if groups, _ := r.claims["groups"].([]any); !slices.Equal(groups, []any{"viewer"}) {
		t.Errorf("groups %v, want [viewer]", r.claims["groups"])
	}
	ctx := context.Background()
	info, err := r.provider.UserInfo(ctx, oauth2.StaticTokenSource(r.token))
	if err != nil || info.Email != "vic@example.com" || info.Subject != fmt.Sprint(*g.vic.UserID) {
		t.Errorf("userinfo: %+v %v", info, err)
	}
	// Refresh works (the token rotates), until Vic is terminated.
	old := r.token.RefreshToken
	ts := r.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: old})
	fresh, err := ts.Token()
	if err != nil || fresh.RefreshToken == "" || fresh.RefreshToken == old {
		t.Fatalf("refresh: %v %v", fresh, err)
	}
	if _, err := r.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: old}).Token(); err == nil {
		t.Error("the used refresh token works again")
	}
	g.ownerPost(fmt.Sprintf("/users/%d/terminate", g.vic.ID), nil)
	if _, err := r.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: fresh.RefreshToken}).Token(); err == nil {
		t.Error("refresh after Terminate works")
	}
	if _, err := r.provider.UserInfo(ctx, oauth2.StaticTokenSource(fresh)); err == nil {
		t.Error("userinfo after Terminate answers")
	}
}

func mustGet(t *testing.T, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// Refused: a wrong redirect URI, PKCE missing, a member without the app, a client of
// another organization, removing access ends the refresh token.
func TestOIDCRefusals(t *testing.T) {
	g := newGateTeam(t)
	issuer := g.app.Server.URL
	r := newRP(t, issuer)
	id, secret := g.addClient(g.grafana, r.srv.URL+"/cb")
	r.configure(id, secret)

	wrong := r.conf
	wrong.RedirectURL = r.srv.URL + "/cb/other"
	p := g.vicC.do(mustGet(t, wrong.AuthCodeURL("s", oauth2.S256ChallengeOption("x"))))
	if p.StatusCode < 400 || strings.Contains(p.location(), "code=") {
		t.Errorf("wrong redirect URI: %d %q, want an error and no code", p.StatusCode, p.location())
	}
	p = g.vicC.do(mustGet(t, r.conf.AuthCodeURL("s")))
	if loc := p.location(); !strings.HasPrefix(loc, r.srv.URL+"/cb?error=invalid_request") {
		t.Errorf("no PKCE: %d %q, want invalid_request to the RP", p.StatusCode, loc)
	}

	// Eve (Editor) has no Grafana: an error page, no code.
	eve := g.as("eve@example.com")
	p = r.signIn(eve)
	if p.StatusCode != http.StatusForbidden || r.token != nil || strings.Contains(p.Request.URL.String(), "code=") {
		t.Errorf("Eve without Grafana: %d at %s", p.StatusCode, p.Request.URL)
	}

	// A client of another organization: Vic, logged in to Acme, gets no code.
	db := openDB(g.app).db
	db.Exec("INSERT INTO organizations (name, created_at, updated_at) VALUES ('Other', ?, ?)", g.app.Clock.Now(), g.app.Clock.Now())
	var otherOrg int64
	db.Raw("SELECT id FROM organizations WHERE name = 'Other'").Scan(&otherOrg)
	db.Exec("INSERT INTO apps (org_id, name, created_at, updated_at) VALUES (?, 'Other app', ?, ?)", otherOrg, g.app.Clock.Now(), g.app.Clock.Now())
	var otherApp int64
	db.Raw("SELECT id FROM apps WHERE org_id = ?", otherOrg).Scan(&otherApp)
	if err := db.Exec("UPDATE oidc_clients SET org_id = ?, app_id = ? WHERE client_id = ?", otherOrg, otherApp, id).Error; err != nil {
		t.Fatal(err)
	}
	p = r.signIn(g.vicC)
	if p.StatusCode != http.StatusForbidden || r.token != nil {
		t.Errorf("another organization's client: %d at %s", p.StatusCode, p.Request.URL)
	}
	db.Exec("UPDATE oidc_clients SET org_id = ?, app_id = ? WHERE client_id = ?", g.orgID, g.grafana, id)

	// Removing Vic's access ends the refresh token.
	if p = r.signIn(g.vicC); r.token == nil {
		t.Fatalf("Vic: %d %s", p.StatusCode, p.Body)
	}
	g.setAccess(g.vic.ID, g.wiki)
	if _, err := r.conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: r.token.RefreshToken}).Token(); err == nil {
		t.Error("refresh after access removed works")
	}
	// The token endpoint takes no CSRF token but a wrong secret is refused.
	resp, err := http.PostForm(issuer+"/oidc/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}, "client_id": {id}, "client_secret": {"wrong"}})
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusBadRequest || body["error"] != "invalid_client" {
		t.Errorf("wrong secret: %d %v", resp.StatusCode, body)
	}
}

// kidOf is the key id in a JWT's header.
func kidOf(t *testing.T, raw string) string {
	t.Helper()
	head, _, _ := strings.Cut(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	var h struct {
		Kid string `json:"kid"`
	}
	if err != nil || json.Unmarshal(b, &h) != nil || h.Kid == "" {
		t.Fatalf("no kid in %q", head)
	}
	return h.Kid
}

// An Owner rotates the signing key from the Apps page: an ID token signed before still
// verifies at the relying party, and one signed after carries the new key's id. An Admin
// sees no button and is refused.
func TestOIDCKeyRotation(t *testing.T) {
	g := newGateTeam(t)
	r := newRP(t, g.app.Server.URL)
	id, secret := g.addClient(g.grafana, r.srv.URL+"/cb")
	r.configure(id, secret)
	ctx := context.Background()

	if p := r.signIn(g.vicC); p.StatusCode != http.StatusOK || r.token == nil {
		t.Fatalf("sign-in before rotation: %d %s", p.StatusCode, p.Body)
	}
	before, _ := r.token.Extra("id_token").(string)
	oldKid := kidOf(t, before)

	ada := g.app.newClient()
	ada.login("ada@example.com", testPassword)
	if p := ada.get("/apps"); p.StatusCode != http.StatusOK || p.Doc.Find(`a[href="/apps/signing-key/rotate"]`).Length() != 0 {
		t.Errorf("an Admin's Apps page: %d, rotate button %d", p.StatusCode, p.Doc.Find(`a[href="/apps/signing-key/rotate"]`).Length())
	}
	if p := ada.post("/apps/signing-key/rotate", nil); p.StatusCode != http.StatusForbidden {
		t.Errorf("an Admin rotating: %d, want 403", p.StatusCode)
	}

	if p := g.owner.get("/apps"); p.Doc.Find(`a[href="/apps/signing-key/rotate"]`).Text() != "Rotate signing key" {
		t.Fatal("the Owner's Apps page has no Rotate signing key button")
	}
	if p := g.owner.get("/apps/signing-key/rotate"); p.StatusCode != http.StatusOK || p.Doc.Find(`form[action="/apps/signing-key/rotate"] button[type="submit"]`).Length() != 1 {
		t.Fatalf("confirm dialog: %d", p.StatusCode)
	}
	g.ownerPost("/apps/signing-key/rotate", nil)
	if p := g.owner.get("/apps"); !strings.Contains(p.text(".flash"), "Signing key rotated") {
		t.Errorf("flash after rotation: %q", p.text(".flash"))
	}

	if _, err := r.verifier.Verify(ctx, before); err != nil {
		t.Errorf("an ID token from before the rotation: %v", err)
	}
	if p := r.signIn(g.vicC); p.StatusCode != http.StatusOK || r.token == nil {
		t.Fatalf("sign-in after rotation: %d %s", p.StatusCode, p.Body)
	}
	after, _ := r.token.Extra("id_token").(string)
	if kid := kidOf(t, after); kid == oldKid {
		t.Errorf("an ID token after the rotation is signed with the old key %s", kid)
	}
}
