package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// appBoxes lists the values (and labels) of the "apps" checkboxes of a page.
func appBoxes(p *page) (values, labels []string) {
	p.Doc.Find(`input[type=checkbox][name=apps]`).Each(func(_ int, s *goquery.Selection) {
		v, _ := s.Attr("value")
		values = append(values, v)
		labels = append(labels, s.Closest("label").Find("strong").Text())
	})
	return values, labels
}

// The invite dialog offers the enabled apps under the roles; the invited membership holds
// the chosen ones from the invitation on; a disabled app is refused beside the field with the
// person's choices kept.
func TestInviteOffersApps(t *testing.T) {
	g := newGateTeam(t)
	g.ownerPost(fmt.Sprintf("/apps/%d/disable", g.wikiAdmin), url.Values{})
	p := g.owner.get("/users/invite")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET /users/invite: %d", p.StatusCode)
	}
	vals, labels := appBoxes(p)
	if !slices.Equal(labels, []string{"Grafana", "Wiki"}) {
		t.Errorf("offered apps %v, want the enabled ones, Grafana and Wiki", labels)
	}
	if p.Doc.Find(`fieldset.role-choice ~ fieldset legend:contains("Apps")`).Length() != 1 {
		t.Error("the Apps choice is not under the roles")
	}
	id := func(v int64) string { return strconv.FormatInt(v, 10) }
	if !slices.Equal(vals, []string{id(g.grafana), id(g.wiki)}) {
		t.Errorf("values %v", vals)
	}

	// A disabled app (a stale dialog) is refused beside the field; the choices are kept.
	p = g.owner.post("/users/invite", url.Values{"emails": {"new@example.com"}, "roles": {"viewer"}, "apps": {id(g.grafana), id(g.wikiAdmin)}})
	if p.StatusCode != http.StatusUnprocessableEntity || p.text("#f-apps-error") != "Wiki admin is disabled: enable it on the Apps page first, or leave it unchecked." {
		t.Errorf("disabled app: %d %q", p.StatusCode, p.text("#f-apps-error"))
	}
	if p.Doc.Find(fmt.Sprintf(`input[name=apps][value="%d"][checked]`, g.grafana)).Length() != 1 || p.Doc.Find("#f-emails").Text() != "new@example.com" {
		t.Error("the refused form lost the person's input")
	}
	for _, bad := range []string{"999999", "x"} {
		p = g.owner.post("/users/invite", url.Values{"emails": {"new@example.com"}, "roles": {"viewer"}, "apps": {bad}})
		if p.StatusCode != http.StatusUnprocessableEntity || p.text("#f-apps-error") == "" {
			t.Errorf("app %q: %d %q", bad, p.StatusCode, p.text("#f-apps-error"))
		}
	}
	if m := g.app.memberByEmail(g.db, g.orgID, "new@example.com"); m != nil {
		t.Error("a refused invite created the membership")
	}

	p = g.owner.post("/users/invite", url.Values{"emails": {"new@example.com"}, "roles": {"viewer"}, "apps": {id(g.wiki)}})
	if p.StatusCode != http.StatusOK || p.text(".outcome") == "" {
		t.Fatalf("invite with Wiki: %d", p.StatusCode)
	}
	m := g.app.memberByEmail(g.db, g.orgID, "new@example.com")
	if m == nil {
		t.Fatal("no membership for new@example.com")
	}
	var apps []int64
	if err := g.db.db.Table("app_members").Where("membership_id = ?", m.ID).Pluck("app_id", &apps).Error; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(apps, []int64{g.wiki}) {
		t.Errorf("invited membership's apps %v, want Wiki", apps)
	}
}

// The Users page filters by app for Owners and Admins: members given it and those holding a
// role that carries it; without JavaScript (the GET form), with the live search (htmx asks
// for the results only), across tabs, sorts and pages. Viewers get no filter.
func TestUsersFilterByApp(t *testing.T) {
	g := newGateTeam(t)
	g.ownerPost(fmt.Sprintf("/apps/%d/roles", g.wiki), url.Values{"roles": {"editor"}})
	id := func(v int64) string { return strconv.FormatInt(v, 10) }

	p := g.owner.get("/users")
	var opts []string
	p.Doc.Find(`form[role=search] select[name=app] option`).Each(func(_ int, s *goquery.Selection) { opts = append(opts, s.Text()) })
	if !slices.Equal(opts, []string{"All apps", "Grafana", "Wiki", "Wiki admin"}) {
		t.Errorf("App options %q", opts)
	}
	if p.text(`label[for=app-filter]`) != "App" {
		t.Error("the App select has no label")
	}
	p = g.owner.get("/users?tab=active&app=" + id(g.grafana))
	if got := p.emails(); !slices.Equal(got, []string{"vic@example.com"}) {
		t.Errorf("Grafana: %v, want Vic (given it)", got)
	}
	if v, _ := p.Doc.Find(`select[name=app] option[selected]`).Attr("value"); v != id(g.grafana) {
		t.Errorf("selected option %q", v)
	}
	p = g.owner.get("/users?tab=active&app=" + id(g.wiki))
	if got := p.emails(); !slices.Equal(got, []string{"eve@example.com", "vic@example.com"}) {
		t.Errorf("Wiki: %v, want Eve (Editor) and Vic (given it)", got)
	}
	// Sort links and tabs keep the filter.
	if href, _ := p.Doc.Find(`th a`).First().Attr("href"); !strings.Contains(href, "app="+id(g.wiki)) {
		t.Errorf("sort link %q drops the app", href)
	}
	if href, _ := p.Doc.Find(`#users-tabs a`).Last().Attr("href"); !strings.Contains(href, "app="+id(g.wiki)) {
		t.Errorf("tab link %q drops the app", href)
	}
	// Search within the filter, as the live search asks: the results alone.
	p = g.owner.request(http.MethodGet, "/users?tab=active&q=vic&app="+id(g.wiki), nil, http.Header{"HX-Request": {"true"}, "HX-Target": {"users-results"}})
	if got := p.emails(); !slices.Equal(got, []string{"vic@example.com"}) || p.Doc.Find("form[role=search]").Length() != 0 {
		t.Errorf("live search vic in Wiki: %v (the whole page: %v)", got, p.Doc.Find("form[role=search]").Length() != 0)
	}
	p = g.owner.get("/users?tab=active&q=eve&app=" + id(g.grafana))
	if got := p.emails(); len(got) != 0 {
		t.Errorf("eve in Grafana: %v, want none", got)
	}
	// An app nobody may use lists nobody; an unknown id is no filter (a deleted app's link).
	if got := g.owner.get("/users?tab=active&app=" + id(g.wikiAdmin)).emails(); len(got) != 0 {
		t.Errorf("Wiki admin: %v, want none", got)
	}
	if got := g.owner.get("/users?tab=active&app=999999").emails(); len(got) < 4 {
		t.Errorf("unknown app: %v, want everyone", got)
	}
	// Viewers see no App filter, and the parameter changes nothing for them.
	if p := g.vicC.get("/users?tab=active&app=" + id(g.grafana)); p.Doc.Find("select[name=app]").Length() != 0 || len(p.emails()) < 4 {
		t.Errorf("Viewer: select shown %v, rows %v", p.Doc.Find("select[name=app]").Length() != 0, p.emails())
	}
}

// The member page lists the member's apps and how they have each, for Owners and Admins.
func TestMemberPageApps(t *testing.T) {
	g := newGateTeam(t)
	g.ownerPost(fmt.Sprintf("/apps/%d/roles", g.wiki), url.Values{"roles": {"viewer", "editor"}})
	g.ownerPost(fmt.Sprintf("/apps/%d/disable", g.grafana), url.Values{})
	p := g.owner.get(fmt.Sprintf("/users/%d", g.vic.ID))
	if p.StatusCode != http.StatusOK {
		t.Fatalf("member page: %d", p.StatusCode)
	}
	var rows []string
	p.Doc.Find(`section[aria-labelledby=apps-heading] dt`).Each(func(_ int, s *goquery.Selection) {
		rows = append(rows, s.Text()+": "+strings.Join(strings.Fields(s.Next().Text()), " "))
	})
	want := []string{"Grafana: Given directly Disabled", "Wiki: Given directly, and through their role Viewer"}
	if !slices.Equal(rows, want) {
		t.Errorf("Vic's apps %q, want %q", rows, want)
	}
	p = g.owner.get(fmt.Sprintf("/users/%d", g.eve.ID))
	if got := strings.Join(strings.Fields(p.text(`section[aria-labelledby=apps-heading] dd`)), " "); got != "Through their role Editor" {
		t.Errorf("Eve's Wiki: %q", got)
	}
	p = g.owner.get(fmt.Sprintf("/users/%d", g.ada.ID))
	if got := p.text(`section[aria-labelledby=apps-heading] p`); !strings.Contains(got, "No apps") {
		t.Errorf("Ada, without apps: %q", got)
	}
	if p := g.vicC.get(fmt.Sprintf("/users/%d", g.eve.ID)); p.StatusCode != http.StatusOK || p.Doc.Find("#apps-heading").Length() != 0 {
		t.Errorf("a Viewer's view of a member page: %d, apps shown %v", p.StatusCode, p.Doc.Find("#apps-heading").Length() != 0)
	}
}
