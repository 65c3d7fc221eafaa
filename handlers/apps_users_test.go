package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
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
