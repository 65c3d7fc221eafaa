package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gatehouse/models"
)

// TestCrossOrganizationIsolation requests every route whose path takes an id, as an Owner of
// Acme, with the ids of Globex's objects, and expects 404 for each (DESIGN.md: another
// organization's id answers 404). The routes come from the router itself, so a route added
// later is covered at once; a parameter this test does not know fails it, naming the route,
// until a fixture for it is added to idsFor.
func TestCrossOrganizationIsolation(t *testing.T) {
	app, owner, db, acmeID := ownerWithDB(t)
	globex := db.orgNamed("Globex")
	db.noMFA()

	// Globex: an Owner with a second factor and a session, an active, a terminated and an
	// invited member (whose invitation put a message in the outbox), an app with an OpenID
	// Connect client, a department, an import.
	bob := db.addMember(globex.ID, "bob@example.com", models.RoleOwner)
	ms := db.addMembers(globex.ID,
		member{Email: "gail@example.com", First: "Gail", Last: "Active", Roles: []models.Role{models.RoleEditor}},
		member{Email: "tom@example.com", First: "Tom", Last: "Gone", Roles: []models.Role{models.RoleViewer}, Status: models.StatusTerminated})
	bc := app.newClient()
	bc.login("bob@example.com", testPassword)
	bc.get("/users/invite")
	if p := bc.invite("ivy@example.com", models.RoleViewer); p.outcomes()["ivy@example.com"].Message != "Invitation sent" {
		t.Fatalf("invite in Globex: %+v", p.outcomes())
	}
	ivy := app.memberByEmail(db, globex.ID, "ivy@example.com")
	members := []int64{bob.ID, ms[0].ID, ms[1].ID, ivy.ID}

	now := app.Clock.Now()
	gApp := models.App{OrgID: globex.ID, Name: "Globex wiki", Enabled: true, CreatedAt: now, UpdatedAt: now}
	must(t, db.db.Create(&gApp).Error)
	client := models.OIDCClient{OrgID: globex.ID, AppID: gApp.ID, ClientID: "globex-client", SecretHash: []byte("x"), RedirectURIs: "https://wiki.globex.test/cb", CreatedAt: now}
	must(t, db.db.Create(&client).Error)
	dept := models.Department{OrgID: globex.ID, Name: "Globex sales", CreatedAt: now, UpdatedAt: now}
	must(t, db.db.Create(&dept).Error)
	imp := models.Import{OrgID: globex.ID, UserID: bob.UserID, FileName: "people.csv", Status: models.ImportDone, CreatedAt: now}
	must(t, db.db.Create(&imp).Error)
	factor := models.MFAFactor{UserID: *bob.UserID, Kind: models.FactorTOTP, Secret: "JBSWY3DPEHPK3PXP", ConfirmedAt: &now, CreatedAt: now}
	must(t, db.db.Create(&factor).Error)
	var outbox, session int64
	must(t, db.db.Model(&models.OutboxMessage{}).Where("org_id = ?", globex.ID).Select("MAX(id)").Scan(&outbox).Error)
	must(t, db.db.Model(&models.Session{}).Where("user_id = ?", *bob.UserID).Select("MAX(id)").Scan(&session).Error)
	if outbox == 0 || session == 0 {
		t.Fatal("fixture: no outbox message or session in Globex")
	}

	// Acme's own app, so a route taking two ids is also tried with Acme's first and Globex's second.
	aApp := models.App{OrgID: acmeID, Name: "Acme wiki", Enabled: true, CreatedAt: now, UpdatedAt: now}
	must(t, db.db.Create(&aApp).Error)

	// idsFor lists, for a parameter of a route, the values to try: Globex's objects of the
	// kind the route's path names, and for a route's first parameter, Acme's own as well when
	// the route has another (so only the second one is foreign).
	type value struct {
		value   string
		foreign bool // an object of Globex
	}
	idsFor := func(path, param string) []value {
		ids := func(list ...int64) []value {
			out := make([]value, len(list))
			for i, id := range list {
				out[i] = value{strconv.FormatInt(id, 10), true}
			}
			return out
		}
		switch param {
		case "cid":
			return ids(client.ID)
		case "format":
			return []value{{"csv", false}}
		case "id":
			switch {
			case strings.HasPrefix(path, "/users/import/"):
				return ids(imp.ID)
			case strings.HasPrefix(path, "/users/"), strings.HasPrefix(path, "/notifications/"):
				return ids(members...)
			case strings.HasPrefix(path, "/apps/") && strings.Contains(path, ":cid"):
				return append(ids(gApp.ID), value{strconv.FormatInt(aApp.ID, 10), false})
			case strings.HasPrefix(path, "/apps/"):
				return ids(gApp.ID)
			case strings.HasPrefix(path, "/departments/"):
				return ids(dept.ID)
			case strings.HasPrefix(path, "/outbox/"):
				return ids(outbox)
			case strings.HasPrefix(path, "/account/mfa/"):
				return ids(factor.ID)
			case strings.HasPrefix(path, "/account/sessions/"):
				return ids(session)
			}
		}
		t.Fatalf("route %s: no fixture for its parameter :%s; add one to idsFor in isolation_test.go", path, param)
		return nil
	}

	// Parameters that are not ids of an organization's objects: single-use tokens (their own
	// tests refuse every wrong one) and the static files.
	notIDs := map[string]bool{"token": true, "*": true}

	tried := 0
	owner.get("/users")
	for _, r := range app.Handler.Echo().Routes() {
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			continue
		}
		params := routeParams(r.Path)
		hasID := false
		for _, p := range params {
			if !notIDs[p] && p != "format" {
				hasID = true
			}
		}
		if !hasID {
			continue
		}
		// Every combination of the values of each parameter; at least one of them Globex's.
		type try struct {
			path    string
			foreign bool
		}
		tries := []try{{path: r.Path}}
		for _, p := range params {
			var next []try
			for _, tr := range tries {
				for _, v := range idsFor(r.Path, p) {
					next = append(next, try{replaceParam(tr.path, p, v.value), tr.foreign || v.foreign})
				}
			}
			tries = next
		}
		for _, tr := range tries {
			if !tr.foreign {
				continue
			}
			var p *page
			if r.Method == http.MethodGet {
				p = owner.get(tr.path)
			} else {
				p = owner.post(tr.path, url.Values{"roles": {"viewer"}, "name": {"x"}, "confirm": {"x"}})
			}
			tried++
			if p.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s (route %s) as Acme's Owner: %d, want 404", r.Method, tr.path, r.Path, p.StatusCode)
			}
		}
	}
	t.Logf("%d requests with Globex ids", tried)
	if tried < 40 {
		t.Errorf("only %d requests tried: the route list was not read", tried)
	}
	// Nothing of Globex changed.
	if got := app.memberByEmail(db, globex.ID, "gail@example.com"); got.Status != models.StatusActive {
		t.Errorf("Globex's member is now %s", got.Status)
	}
	var n int64
	db.db.Model(&models.Session{}).Where("id = ?", session).Count(&n)
	if n != 1 {
		t.Error("Globex's Owner's session was ended")
	}
}

// routeParams lists the parameters of an echo route path in order: ":id" gives "id", "*" gives "*".
func routeParams(path string) []string {
	var out []string
	for _, seg := range strings.Split(path, "/") {
		if i := strings.IndexByte(seg, ':'); i >= 0 {
			name := seg[i+1:]
			if j := strings.IndexAny(name, ".:"); j >= 0 {
				name = name[:j]
			}
			out = append(out, name)
		} else if strings.Contains(seg, "*") {
			out = append(out, "*")
		}
	}
	return out
}

// replaceParam puts value in place of :name in path.
func replaceParam(path, name, value string) string {
	return strings.Replace(path, ":"+name, value, 1)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
