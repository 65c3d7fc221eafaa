package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// gateTeam is newTeam with apps: Grafana (grafana.example.com), Wiki (tools.example.com/wiki),
// Wiki admin (tools.example.com/wiki/admin); Vic may use Grafana and Wiki, and is logged in.
type gateTeam struct {
	*team
	grafana, wiki, wikiAdmin int64
	vicC                     *client
}

func newGateTeam(t *testing.T) *gateTeam {
	t.Helper()
	g := &gateTeam{team: newTeam(t)}
	g.grafana = g.addApp("Grafana", "grafana.example.com")
	g.wiki = g.addApp("Wiki", "https://Tools.Example.com/wiki/")
	g.wikiAdmin = g.addApp("Wiki admin", "tools.example.com/wiki/admin")
	g.setAccess(g.vic.ID, g.grafana, g.wiki)
	g.vicC = g.as("vic@example.com")
	return g
}

func (g *gateTeam) addApp(name, urls string) int64 {
	g.app.t.Helper()
	p := g.owner.post("/apps", url.Values{"name": {name}, "urls": {urls}})
	if p.StatusCode != http.StatusSeeOther {
		g.app.t.Fatalf("add app %s: status %d: %s", name, p.StatusCode, p.text(".field-error"))
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(p.location(), "/apps/"), 10, 64)
	if err != nil {
		g.app.t.Fatalf("add app %s: went to %q", name, p.location())
	}
	return id
}

func (g *gateTeam) setAccess(memberID int64, apps ...int64) {
	g.app.t.Helper()
	form := url.Values{}
	for _, a := range apps {
		form.Add("apps", strconv.FormatInt(a, 10))
	}
	if p := g.owner.post(fmt.Sprintf("/users/%d/access", memberID), form); p.StatusCode != http.StatusSeeOther {
		g.app.t.Fatalf("edit access: status %d", p.StatusCode)
	}
}

func (g *gateTeam) ownerPost(path string, form url.Values) {
	g.app.t.Helper()
	if p := g.owner.post(path, form); p.StatusCode != http.StatusSeeOther {
		g.app.t.Fatalf("POST %s: status %d", path, p.StatusCode)
	}
}

// forwardAuth asks /api/authz/forward-auth about method proto://host uri as Traefik or Caddy would.
func (c *client) forwardAuth(method, proto, host, uri, accept string) *page {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.app.Server.URL+"/api/authz/forward-auth", nil)
	req.Header.Set("X-Forwarded-Method", method)
	req.Header.Set("X-Forwarded-Proto", proto)
	req.Header.Set("X-Forwarded-Host", host)
	req.Header.Set("X-Forwarded-Uri", uri)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return c.do(req)
}

// authRequest asks /api/authz/auth-request about original as nginx's auth_request would.
func (c *client) authRequest(original, accept string) *page {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.app.Server.URL+"/api/authz/auth-request", nil)
	req.Header.Set("X-Original-URL", original)
	req.Header.Set("X-Original-Method", http.MethodGet)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return c.do(req)
}

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// answer is what the proxy acts on: status, Location and the Remote-* headers.
func answer(p *page) string {
	return fmt.Sprintf("%d loc=%q user=%q email=%q name=%q groups=%q", p.StatusCode, p.location(),
		p.Header.Get("Remote-User"), p.Header.Get("Remote-Email"), p.Header.Get("Remote-Name"), p.Header.Get("Remote-Groups"))
}

func wantAnswer(t *testing.T, what string, p *page, status int, loc string, remote ...string) {
	t.Helper()
	want := fmt.Sprintf("%d loc=%q user=%q email=%q name=%q groups=%q", status, loc, "", "", "", "")
	if len(remote) == 4 {
		want = fmt.Sprintf("%d loc=%q user=%q email=%q name=%q groups=%q", status, loc, remote[0], remote[1], remote[2], remote[3])
	}
	if got := answer(p); got != want {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
	if sc := p.Header.Values("Set-Cookie"); len(sc) > 0 {
		t.Errorf("%s: the gate wrote a cookie: %v", what, sc)
	}
	if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store", what, cc)
	}
}

func TestForwardAuthContract(t *testing.T) {
	g := newGateTeam(t)
	base := g.app.Server.URL
	vic := []string{"vic@example.com", "vic@example.com", "Vic Viewer", "viewer"}

	anon := g.app.newClient()
	original := "https://grafana.example.com/d/abc?orgId=1&x=%2F"
	loginTo := base + "/login?rd=" + url.QueryEscape(original)
	wantAnswer(t, "anonymous browser GET", anon.forwardAuth("GET", "https", "grafana.example.com", "/d/abc?orgId=1&x=%2F", browserAccept), http.StatusFound, loginTo)
	wantAnswer(t, "anonymous browser HEAD", anon.forwardAuth("HEAD", "https", "grafana.example.com", "/d/abc?orgId=1&x=%2F", browserAccept), http.StatusFound, loginTo)
	wantAnswer(t, "anonymous browser POST", anon.forwardAuth("POST", "https", "grafana.example.com", "/d/abc?orgId=1&x=%2F", browserAccept), http.StatusSeeOther, loginTo)
	wantAnswer(t, "anonymous API client", anon.forwardAuth("GET", "https", "grafana.example.com", "/api/x", "application/json"), http.StatusUnauthorized, "")
	wantAnswer(t, "anonymous, no Accept", anon.forwardAuth("GET", "https", "grafana.example.com", "/", ""), http.StatusUnauthorized, "")
	wantAnswer(t, "anonymous auth-request (browser)", anon.authRequest(original, browserAccept), http.StatusUnauthorized, "")
	wantAnswer(t, "anonymous auth-request", anon.authRequest(original, ""), http.StatusUnauthorized, "")
	// A cookie that is not Gatehouse's own is no session.
	forged := g.app.newClient()
	u, _ := url.Parse(base)
	forged.http.Jar.SetCookies(u, []*http.Cookie{{Name: "gatehouse", Value: "forged"}})
	wantAnswer(t, "forged cookie", forged.forwardAuth("GET", "https", "grafana.example.com", "/", browserAccept), http.StatusFound, base+"/login?rd="+url.QueryEscape("https://grafana.example.com/"))

	v := g.vicC
	wantAnswer(t, "Vic at Grafana", v.forwardAuth("GET", "https", "grafana.example.com", "/d/abc", browserAccept), http.StatusOK, "", vic...)
	wantAnswer(t, "Vic at Grafana (auth-request)", v.authRequest("https://grafana.example.com/d/abc", ""), http.StatusOK, "", vic...)
	wantAnswer(t, "Vic at Grafana on a port", v.forwardAuth("GET", "https", "GRAFANA.example.com:8443", "/", ""), http.StatusOK, "", vic...)
	wantAnswer(t, "Vic at the wiki", v.forwardAuth("GET", "https", "tools.example.com", "/wiki/Page?a=b", browserAccept), http.StatusOK, "", vic...)
	wantAnswer(t, "Vic at the wiki root", v.authRequest("http://tools.example.com/wiki", ""), http.StatusOK, "", vic...)
	// Longest prefix: /wiki/admin is Wiki admin's, which Vic does not have; never a redirect.
	for _, uri := range []string{"/wiki/admin", "/wiki/admin/users", "/wiki/../wiki/admin/x", "/wiki/%61dmin", "/wiki//admin"} {
		wantAnswer(t, "Vic at "+uri, v.forwardAuth("GET", "https", "tools.example.com", uri, browserAccept), http.StatusForbidden, "")
	}
	// No app matches: 403, never a redirect (no loops).
	for _, c := range []struct{ host, uri string }{{"tools.example.com", "/wikipedia"}, {"tools.example.com", "/"}, {"evil.example.com", "/"}, {"", "/"}} {
		wantAnswer(t, "Vic at "+c.host+c.uri, v.forwardAuth("GET", "https", c.host, c.uri, browserAccept), http.StatusForbidden, "")
	}
	wantAnswer(t, "auth-request without a URL", v.authRequest("", ""), http.StatusForbidden, "")
	// Eve has no app at all.
	eve := g.as("eve@example.com")
	wantAnswer(t, "Eve at Grafana", eve.forwardAuth("GET", "https", "grafana.example.com", "/", browserAccept), http.StatusForbidden, "")
	wantAnswer(t, "Eve at Grafana (auth-request)", eve.authRequest("https://grafana.example.com/", ""), http.StatusForbidden, "")

	// Every change is seen on the very next request.
	g.ownerPost(fmt.Sprintf("/apps/%d/roles", g.wikiAdmin), url.Values{"roles": {"viewer", "editor"}})
	wantAnswer(t, "Vic at Wiki admin through Viewer", v.forwardAuth("GET", "https", "tools.example.com", "/wiki/admin", ""), http.StatusOK, "", vic...)
	wantAnswer(t, "Eve at Wiki admin through Editor", eve.authRequest("https://tools.example.com/wiki/admin", ""), http.StatusOK, "",
		"eve@example.com", "eve@example.com", "Eve Editor", "editor")
	g.ownerPost(fmt.Sprintf("/apps/%d/disable", g.grafana), nil)
	wantAnswer(t, "Vic at disabled Grafana", v.forwardAuth("GET", "https", "grafana.example.com", "/", browserAccept), http.StatusForbidden, "")
	g.ownerPost(fmt.Sprintf("/apps/%d/enable", g.grafana), nil)
	wantAnswer(t, "Vic at Grafana enabled again", v.forwardAuth("GET", "https", "grafana.example.com", "/", browserAccept), http.StatusOK, "", vic...)
	g.setAccess(g.vic.ID, g.wiki)
	wantAnswer(t, "Vic at Grafana after access removed", v.authRequest("https://grafana.example.com/", ""), http.StatusForbidden, "")
	wantAnswer(t, "Vic at the wiki, kept", v.authRequest("https://tools.example.com/wiki/x", ""), http.StatusOK, "", vic...)
	g.ownerPost(fmt.Sprintf("/users/%d/roles", g.vic.ID), url.Values{"roles": {"editor"}})
	wantAnswer(t, "Vic after a role change", v.authRequest("https://tools.example.com/wiki/x", ""), http.StatusOK, "",
		"vic@example.com", "vic@example.com", "Vic Viewer", "editor")
	g.ownerPost(fmt.Sprintf("/apps/%d", g.wiki), url.Values{"name": {"Wiki"}, "urls": {"wiki.example.com"}})
	wantAnswer(t, "Vic at the wiki's old URL", v.authRequest("https://tools.example.com/wiki/x", ""), http.StatusForbidden, "")
	wantAnswer(t, "Vic at the wiki's new URL", v.authRequest("https://wiki.example.com/x", ""), http.StatusOK, "",
		"vic@example.com", "vic@example.com", "Vic Viewer", "editor")
	g.ownerPost(fmt.Sprintf("/apps/%d/delete", g.wiki), nil)
	wantAnswer(t, "Vic at the deleted wiki", v.authRequest("https://wiki.example.com/x", ""), http.StatusForbidden, "")

	// Terminated: refused on the next request. Her login goes on in no organization (issue 11:
	// she may create or join one), which may use no app.
	g.ownerPost(fmt.Sprintf("/users/%d/terminate", g.eve.ID), nil)
	wantAnswer(t, "terminated Eve (auth-request)", eve.authRequest("https://tools.example.com/wiki/admin", ""), http.StatusForbidden, "")
	wantAnswer(t, "terminated Eve (browser)", eve.forwardAuth("GET", "https", "tools.example.com", "/wiki/admin", browserAccept), http.StatusForbidden, "")

	// Logged out: the same.
	v.post("/logout", nil)
	wantAnswer(t, "Vic logged out", v.authRequest("https://tools.example.com/wiki/admin", ""), http.StatusUnauthorized, "")
}

// The gate reads; it writes nothing per request: no cookie, no session touch within a second,
// nothing that moves the store's change counter.
func TestForwardAuthWritesNothing(t *testing.T) {
	g := newGateTeam(t)
	v := g.vicC
	wantAnswer(t, "first", v.authRequest("https://grafana.example.com/", ""), http.StatusOK, "", "vic@example.com", "vic@example.com", "Vic Viewer", "viewer")
	before := g.app.Store.Changes()
	var seen []string
	g.db.db.Raw("SELECT last_seen_at FROM sessions ORDER BY id").Scan(&seen)
	for range 50 {
		if p := v.authRequest("https://grafana.example.com/", ""); p.StatusCode != http.StatusOK {
			t.Fatalf("status %d", p.StatusCode)
		}
	}
	g.app.App.Wait()
	var after []string
	g.db.db.Raw("SELECT last_seen_at FROM sessions ORDER BY id").Scan(&after)
	if g.app.Store.Changes() != before || strings.Join(seen, ",") != strings.Join(after, ",") {
		t.Errorf("50 gate requests wrote: changes %d → %d, sessions %v → %v", before, g.app.Store.Changes(), seen, after)
	}
}

// After login the person returns to rd only when it is an enabled app's URL.
func TestLoginReturnsToApp(t *testing.T) {
	g := newGateTeam(t)
	good := "https://grafana.example.com/d/abc?orgId=1"
	loginWith := func(rd string) string {
		c := g.app.newClient()
		c.get("/login?rd=" + url.QueryEscape(rd))
		p := c.post("/login", url.Values{"email": {"vic@example.com"}, "password": {testPassword}, "next": {rd}})
		if p.StatusCode != http.StatusSeeOther {
			t.Fatalf("login with rd %q: status %d", rd, p.StatusCode)
		}
		return p.location()
	}
	cont := "/login/continue?" + url.Values{"rd": {good}}.Encode()
	if got := loginWith(good); got != cont {
		t.Errorf("login with a registered app's URL went to %q, want %q", got, cont)
	}
	// The last step is a page of Gatehouse's own (a form's redirect to another origin breaks
	// CSP form-action 'self'): an instant refresh and a link to the app.
	p := g.vicC.get(cont)
	if href, _ := p.Doc.Find("a.btn").Attr("href"); p.StatusCode != http.StatusOK || href != good {
		t.Errorf("continue page: %d, link %q, want 200 and %q", p.StatusCode, href, good)
	}
	if meta, _ := p.Doc.Find(`meta[http-equiv="refresh"]`).Attr("content"); meta != "0;url="+good {
		t.Errorf("continue page refresh %q", meta)
	}
	if p := g.vicC.get("/login/continue?rd=" + url.QueryEscape("https://evil.example.com/")); p.location() != "/" {
		t.Errorf("continue to evil went to %q, want /", p.location())
	}
	// The login page carries rd in its form.
	c := g.app.newClient()
	if v, _ := c.get("/login?rd=" + url.QueryEscape(good)).Doc.Find(`input[name="next"]`).Attr("value"); v != good {
		t.Errorf("login form carries next=%q, want %q", v, good)
	}
	for _, rd := range []string{
		"https://evil.example.com/",
		"//evil.example.com/",
		"///evil.example.com/",
		"https:%2F%2Fevil.example.com",
		"https%3A%2F%2Fevil.example.com",
		"https://grafana.example.com@evil.example.com/",
		"https://user:pw@grafana.example.com/",
		"https://evil.example.com\\@grafana.example.com/",
		"https://grafana.example.com.evil.example.com/",
		"https://evil.example.com/?grafana.example.com",
		"javascript:alert(1)//grafana.example.com",
		"ftp://grafana.example.com/",
		"https://grafana.example.com%2F@evil.example.com/",
		"https://grafana.example.com\r\nLocation: https://evil.example.com/",
		"https://tools.example.com/wikipedia", // same host, no app
	} {
		if got := loginWith(rd); got != "/" {
			t.Errorf("login with rd %q went to %q, want /", rd, got)
		}
	}
	// A disabled app's URL is no destination either.
	g.ownerPost(fmt.Sprintf("/apps/%d/disable", g.grafana), nil)
	if got := loginWith(good); got != "/" {
		t.Errorf("login with a disabled app's URL went to %q, want /", got)
	}
	// Someone already logged in is sent straight on to an app, and only to one.
	if p := g.vicC.get("/login?rd=" + url.QueryEscape("https://tools.example.com/wiki/x")); p.location() != "https://tools.example.com/wiki/x" {
		t.Errorf("logged in: /login?rd went to %q", p.location())
	}
	if p := g.vicC.get("/login?rd=" + url.QueryEscape("https://evil.example.com/")); p.location() != "/" {
		t.Errorf("logged in: /login?rd=evil went to %q", p.location())
	}
}

// With a second factor, the password alone makes no session: the gate still says log in,
// and the code leads back to the app.
func TestForwardAuthNeedsSecondFactor(t *testing.T) {
	g := newGateTeam(t)
	secret, _ := g.app.withAuthenticator("vic@example.com")
	c := g.app.newClient()
	rd := "https://grafana.example.com/"
	c.get("/login?rd=" + url.QueryEscape(rd))
	if p := c.post("/login", url.Values{"email": {"vic@example.com"}, "password": {testPassword}, "next": {rd}}); p.location() != "/login/verify" {
		t.Fatalf("password step went to %q", p.location())
	}
	wantAnswer(t, "password only", c.authRequest(rd, ""), http.StatusUnauthorized, "")
	c.get("/login/verify")
	p := c.post("/login/verify", url.Values{"code": {g.app.totpCode(secret)}})
	if want := "/login/continue?" + (url.Values{"rd": {rd}}).Encode(); p.location() != want {
		t.Fatalf("after the code went to %q, want %q", p.location(), want)
	}
	wantAnswer(t, "second factor done", c.authRequest(rd, ""), http.StatusOK, "", "vic@example.com", "vic@example.com", "Vic Viewer", "viewer")
}

// Apps are validated with clear messages, and another organization's ids are not found.
func TestAppValidation(t *testing.T) {
	g := newGateTeam(t)
	for _, c := range []struct{ urls, want string }{
		{"", "Enter at least one URL"},
		{"not a host!", "is not a host"},
		{"-bad-.example.com", "does not name a valid host"},
		{"ftp://files.example.com", "only http and https"},
		{"grafana.example.com", "Another app already has grafana.example.com"},
		{"GRAFANA.example.com/", "Another app already has grafana.example.com"},
		{"a.example.com\na.example.com/", "listed twice"},
		{"x.example.com/" + strings.Repeat("p", 300), "too long"},
	} {
		p := g.owner.post("/apps", url.Values{"name": {"New"}, "urls": {c.urls}})
		if p.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.text(".field-error"), c.want) {
			t.Errorf("urls %q: %d %q, want 422 with %q", c.urls, p.StatusCode, p.text(".field-error"), c.want)
		}
		if v := p.Doc.Find("#f-urls").Text(); v != c.urls {
			t.Errorf("urls %q: the form kept %q", c.urls, v)
		}
	}
	if p := g.owner.post("/apps", url.Values{"name": {strings.Repeat("n", 101)}, "urls": {"n.example.com"}}); !strings.Contains(p.text(".field-error"), "too long") {
		t.Errorf("long name: %q", p.text(".field-error"))
	}
	// Another organization's app and member ids are 404, and Viewers may not manage apps.
	other := g.app.newClient()
	_ = other
	for _, path := range []string{"/apps/999999", "/users/999999/access"} {
		if p := g.owner.get(path); p.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, p.StatusCode)
		}
	}
	if p := g.vicC.get("/apps"); p.StatusCode != http.StatusForbidden {
		t.Errorf("Viewer GET /apps: %d, want 403", p.StatusCode)
	}
	if p := g.vicC.post(fmt.Sprintf("/users/%d/access", g.vic.ID), url.Values{"apps": {strconv.FormatInt(g.wikiAdmin, 10)}}); p.StatusCode != http.StatusForbidden {
		t.Errorf("Viewer giving themselves access: %d, want 403", p.StatusCode)
	}
	// The pages show what was saved.
	list := g.owner.get("/apps")
	if got := list.Doc.Find("tbody tr").Length(); got != 3 {
		t.Errorf("Apps page lists %d apps, want 3", got)
	}
	if !strings.Contains(list.Body, "tools.example.com/wiki/admin") {
		t.Error("Apps page does not show the normalised URL tools.example.com/wiki/admin")
	}
	dlg := g.owner.get(fmt.Sprintf("/users/%d/access", g.vic.ID))
	if got := dlg.Doc.Find(`input[name="apps"]:checked`).Length(); got != 2 {
		t.Errorf("Edit access shows %d apps checked for Vic, want 2", got)
	}
}

// Requests in flight while access is removed may see either answer; every request that
// starts after the change has returned is refused.
func TestForwardAuthConcurrentChange(t *testing.T) {
	g := newGateTeam(t)
	v := g.vicC
	stop := make(chan struct{})
	errs := make(chan string, 16)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest(http.MethodGet, g.app.Server.URL+"/api/authz/auth-request", nil)
				req.Header.Set("X-Original-URL", "https://grafana.example.com/")
				resp, err := v.http.Do(req)
				if err != nil {
					errs <- err.Error()
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusForbidden {
					errs <- fmt.Sprintf("status %d", resp.StatusCode)
					return
				}
			}
		}()
	}
	g.setAccess(g.vic.ID, g.wiki)
	for range 20 {
		if p := v.authRequest("https://grafana.example.com/", ""); p.StatusCode != http.StatusForbidden {
			t.Fatalf("after access was removed: %d, want 403", p.StatusCode)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
