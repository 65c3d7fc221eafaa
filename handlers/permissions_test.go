package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"gatehouse/internal/testdb"
	"gatehouse/models"
)

// The store can create only Owners so far. Until it grows methods to invite, approve,
// change roles and terminate, the tests reach the states they need by writing to the
// app's SQLite file through a second connection (schema: store/migrations.go).

// testDB is a second connection to a test app's database.
type testDB struct {
	t   testing.TB
	db  *gorm.DB
	app *testApp
}

// openDB opens the app's database (file, or PostgreSQL URL) through a second connection.
func openDB(app *testApp) *testDB {
	t := app.t
	t.Helper()
	now := func() time.Time { return app.Clock.Now().UTC().Truncate(time.Microsecond) }
	dialector := sqlite.Open("file:" + app.Path + "?_busy_timeout=5000&_foreign_keys=on")
	if testdb.Postgres() {
		dialector = postgres.Open(app.Path)
	}
	db, err := gorm.Open(dialector,
		&gorm.Config{Logger: logger.Discard, NowFunc: now, SkipDefaultTransaction: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return &testDB{t: t, db: db, app: app}
}

// testPasswordHash is testPassword hashed once: argon2id is too slow to run per member.
var testPasswordHash = sync.OnceValue(func() string { return models.HashPassword(testPassword) })

// member describes a membership to insert.
type member struct {
	Email, First, Last string
	Status             models.Status // active when empty
	Roles              []models.Role
	NoAccount          bool // an invitation to an email without an account
}

// addMembers inserts members of org in one transaction; active ones can log in with testPassword.
func (d *testDB) addMembers(orgID int64, ms ...member) []models.Membership {
	d.t.Helper()
	out := make([]models.Membership, 0, len(ms))
	err := d.db.Transaction(func(tx *gorm.DB) error {
		for _, spec := range ms {
			m := models.Membership{OrgID: orgID, Status: spec.Status, Email: spec.Email}
			if m.Status == "" {
				m.Status = models.StatusActive
			}
			if !spec.NoAccount {
				u := models.User{Email: spec.Email, FirstName: spec.First, LastName: spec.Last, PasswordHash: testPasswordHash(), LastOrgID: &orgID}
				if err := tx.Create(&u).Error; err != nil {
					return err
				}
				m.UserID = &u.ID
			}
			m.SetName(spec.First, spec.Last)
			if err := tx.Create(&m).Error; err != nil {
				return err
			}
			for _, r := range spec.Roles {
				if err := tx.Exec("INSERT INTO membership_roles (membership_id, role) VALUES (?, ?)", m.ID, r).Error; err != nil {
					return err
				}
			}
			m.Roles = spec.Roles
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return out
}

// addMember inserts one active member with roles who can log in with testPassword.
func (d *testDB) addMember(orgID int64, email string, roles ...models.Role) models.Membership {
	d.t.Helper()
	return d.addMembers(orgID, member{Email: email, First: "Mia", Last: "Member", Roles: roles})[0]
}

func (d *testDB) setStatus(membershipID int64, s models.Status) {
	d.t.Helper()
	if err := d.db.Model(&models.Membership{}).Where("id = ?", membershipID).Update("status", s).Error; err != nil {
		d.t.Fatal(err)
	}
}

func (d *testDB) setRoles(membershipID int64, roles ...models.Role) {
	d.t.Helper()
	err := d.db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM membership_roles WHERE membership_id = ?", membershipID).Error; err != nil {
			return err
		}
		for _, r := range roles {
			if err := tx.Exec("INSERT INTO membership_roles (membership_id, role) VALUES (?, ?)", membershipID, r).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		d.t.Fatal(err)
	}
}

// org reads the organization as it is stored now.
func (d *testDB) org(id int64) models.Organization {
	d.t.Helper()
	var o models.Organization
	if err := d.db.Take(&o, id).Error; err != nil {
		d.t.Fatal(err)
	}
	return o
}

// auditEvents returns the events with action, newest first.
func (a *testApp) auditEvents(action models.Action) []models.AuditEvent {
	a.t.Helper()
	evs, err := a.Store.FindAuditEvents(context.Background(), models.AuditFilter{Action: action, Limit: 500})
	if err != nil {
		a.t.Fatal(err)
	}
	return evs
}

// fieldError returns the message shown beside the input named name, and whether the
// input points at it with aria-describedby.
func (p *page) fieldError(name string) (msg string, described bool) {
	in := p.Doc.Find(`input[name="` + name + `"], select[name="` + name + `"]`).First()
	msg = strings.TrimSpace(in.Closest(".field").Find(".field-error").Text())
	id, _ := in.Attr("id")
	desc, _ := in.Attr("aria-describedby")
	return msg, desc != "" && desc == id+"-error"
}

// inputValue returns the value attribute of the input named name, or the selected option's
// of the select named name.
func (p *page) inputValue(name string) (string, bool) {
	if sel := p.Doc.Find(`select[name="` + name + `"]`).First(); sel.Length() == 1 {
		return sel.Find("option[selected]").First().Attr("value")
	}
	return p.Doc.Find(`input[name="` + name + `"]`).First().Attr("value")
}

// departments adds departments to the organization.
func (d *testDB) departments(orgID int64, names ...string) []models.Department {
	d.t.Helper()
	var out []models.Department
	for _, n := range names {
		dep := models.Department{OrgID: orgID, Name: n}
		if err := d.db.Create(&dep).Error; err != nil {
			d.t.Fatal(err)
		}
		out = append(out, dep)
	}
	return out
}

func TestViewersAndEditorsCannotManageSettings(t *testing.T) {
	for _, role := range []models.Role{models.RoleViewer, models.RoleEditor} {
		t.Run(string(role), func(t *testing.T) {
			app := newTestApp(t)
			owner := app.createOwner("olive@example.com")
			db := openDB(app)
			email := string(role) + "@example.com"
			db.addMember(owner.Org.ID, email, role)

			c := app.newClient()
			c.login(email, testPassword)
			for _, path := range []string{"/", "/users"} {
				if p := c.get(path); p.StatusCode != http.StatusOK {
					t.Fatalf("GET %s as %s: %d, want 200", path, role, p.StatusCode)
				}
			}
			p := c.get("/users")
			if p.Doc.Find(`.sidebar a[href="/settings"]`).Length() != 0 {
				t.Error("the navigation offers Settings to a member who may not use it")
			}

			p = c.get("/settings")
			if p.StatusCode != http.StatusForbidden {
				t.Fatalf("GET /settings as %s: %d, want 403", role, p.StatusCode)
			}
			if got := p.text("h1"); got != "Not allowed" {
				t.Errorf("403 page heading %q", got)
			}
			if p.Doc.Find(`input[name="name"]`).Length() != 0 {
				t.Error("the 403 page shows the settings form")
			}

			p = c.post("/settings", url.Values{"name": {"Hijacked"}, "invite_lifetime_hours": {"700"}})
			if p.StatusCode != http.StatusForbidden {
				t.Fatalf("POST /settings as %s: %d, want 403", role, p.StatusCode)
			}
			if o := db.org(owner.Org.ID); o.Name != "Acme" || o.InviteLifetimeHours != 72 {
				t.Errorf("organization changed by a %s: %+v", role, o)
			}
			if n := len(app.auditEvents(models.ActionOrgUpdated)); n != 0 {
				t.Errorf("%d org.updated events after a refused change", n)
			}

			denied := app.auditEvents(models.ActionDenied)
			if len(denied) != 2 {
				t.Fatalf("%d access.denied events, want 2 (GET and POST): %+v", len(denied), denied)
			}
			for i, want := range []string{"POST /settings", "GET /settings"} {
				ev := denied[i]
				if !strings.Contains(ev.Detail, want) || ev.ActorEmail != email || ev.OrgID == nil || *ev.OrgID != owner.Org.ID {
					t.Errorf("access.denied event %d = %+v, want %q by %s in org %d", i, ev, want, email, owner.Org.ID)
				}
			}
		})
	}
}

func TestOwnersAndAdminsManageSettings(t *testing.T) {
	for _, role := range []models.Role{models.RoleOwner, models.RoleAdmin} {
		t.Run(string(role), func(t *testing.T) {
			app := newTestApp(t)
			owner := app.createOwner("olive@example.com")
			db := openDB(app)
			email := "olive@example.com"
			if role == models.RoleAdmin {
				email = "adam@example.com"
				db.addMember(owner.Org.ID, email, models.RoleAdmin)
			}
			c := app.newClient()
			c.login(email, testPassword)

			p := c.get("/settings")
			if p.StatusCode != http.StatusOK {
				t.Fatalf("GET /settings as %s: %d", role, p.StatusCode)
			}
			if v, _ := p.inputValue("name"); v != "Acme" {
				t.Errorf("name field %q, want Acme", v)
			}
			if v, _ := p.inputValue("invite_lifetime_hours"); v != "72" {
				t.Errorf("lifetime field %q, want 72", v)
			}
			if c.get("/").Doc.Find(`.sidebar a[href="/settings"]`).Length() != 1 {
				t.Error("the navigation does not offer Settings")
			}

			for _, bad := range []string{"0", "721", "abc", "", "1.5", "-3", "99999999999999999999"} {
				p := c.post("/settings", url.Values{"name": {"Renamed"}, "invite_lifetime_hours": {bad}})
				if p.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("lifetime %q: %d, want 422", bad, p.StatusCode)
				}
				msg, described := p.fieldError("invite_lifetime_hours")
				if !strings.Contains(msg, "from 1 to 720") || !described {
					t.Errorf("lifetime %q: message beside the field %q (aria-describedby %v)", bad, msg, described)
				}
				if msg, _ := p.fieldError("name"); msg != "" {
					t.Errorf("lifetime %q: unexpected name error %q", bad, msg)
				}
				if v, _ := p.inputValue("name"); v != "Renamed" {
					t.Errorf("lifetime %q: the name typed was not kept (%q)", bad, v)
				}
				if v, _ := p.inputValue("invite_lifetime_hours"); v != bad {
					t.Errorf("lifetime %q: the lifetime typed was not kept (%q)", bad, v)
				}
			}
			for _, bad := range []string{"", "   ", strings.Repeat("n", 101), strings.Repeat("n", 10_000), "Acme\x00"} {
				p := c.post("/settings", url.Values{"name": {bad}, "invite_lifetime_hours": {"24"}})
				if p.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("name of %d chars: %d, want 422", len(bad), p.StatusCode)
				}
				if msg, described := p.fieldError("name"); msg == "" || !described {
					t.Errorf("name of %d chars: no message beside the field", len(bad))
				}
			}
			if o := db.org(owner.Org.ID); o.Name != "Acme" || o.InviteLifetimeHours != 72 {
				t.Fatalf("invalid input changed the organization: %+v", o)
			}

			for _, hours := range []string{"1", "720", " 48 "} {
				p = c.post("/settings", url.Values{"name": {"  Acme Two  "}, "invite_lifetime_hours": {hours}})
				if p.StatusCode != http.StatusSeeOther || p.location() != "/settings" {
					t.Fatalf("valid lifetime %q: %d to %q, want 303 to /settings; errors %q", hours, p.StatusCode, p.location(), p.Doc.Find(".field-error").Text())
				}
			}
			o := db.org(owner.Org.ID)
			if o.Name != "Acme Two" || o.InviteLifetimeHours != 48 {
				t.Fatalf("organization after saving: %+v, want Acme Two / 48", o)
			}
			p = c.get("/settings")
			if got := p.text(".flash"); got != "Settings saved." {
				t.Errorf("flash %q", got)
			}
			if v, _ := p.inputValue("invite_lifetime_hours"); v != "48" {
				t.Errorf("lifetime shown after saving %q", v)
			}
			if got := p.text(".org-name"); got != "Acme Two" {
				t.Errorf("sidebar organization name %q", got)
			}
			evs := app.auditEvents(models.ActionOrgUpdated)
			if len(evs) != 3 || evs[len(evs)-1].ActorEmail != email || !strings.Contains(evs[len(evs)-1].Detail, "Acme Two") {
				t.Errorf("org.updated events %+v", evs)
			}
		})
	}
}

func TestLoggedOutSettingsIsRefused(t *testing.T) {
	app := newTestApp(t)
	owner := app.createOwner("olive@example.com")
	db := openDB(app)
	c := app.newClient()
	if p := c.get("/settings"); p.StatusCode != http.StatusSeeOther || p.location() != "/login?next=%2Fsettings" {
		t.Fatalf("logged-out GET /settings: %d to %q", p.StatusCode, p.location())
	}
	c.get("/login")
	p := c.post("/settings", url.Values{"name": {"Hijacked"}, "invite_lifetime_hours": {"24"}})
	if p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
		t.Fatalf("logged-out POST /settings: %d to %q", p.StatusCode, p.location())
	}
	if o := db.org(owner.Org.ID); o.Name != "Acme" {
		t.Fatalf("organization renamed by a visitor: %+v", o)
	}
}

// A member's roles are read on every request, so a change applies to a session already open.
func TestRoleChangeAppliesToOpenSession(t *testing.T) {
	app := newTestApp(t)
	owner := app.createOwner("olive@example.com")
	db := openDB(app)
	m := db.addMember(owner.Org.ID, "adam@example.com", models.RoleAdmin)
	c := app.newClient()
	c.login("adam@example.com", testPassword)
	if p := c.get("/settings"); p.StatusCode != http.StatusOK {
		t.Fatalf("admin GET /settings: %d", p.StatusCode)
	}
	db.setRoles(m.ID, models.RoleViewer)
	if p := c.get("/settings"); p.StatusCode != http.StatusForbidden {
		t.Fatalf("GET /settings after demotion to Viewer: %d, want 403", p.StatusCode)
	}
	if p := c.get("/users"); p.StatusCode != http.StatusOK {
		t.Fatalf("GET /users after demotion to Viewer: %d, want 200", p.StatusCode)
	}
	db.setRoles(m.ID)
	if p := c.get("/users"); p.StatusCode != http.StatusForbidden {
		t.Fatalf("GET /users with no role left: %d, want 403", p.StatusCode)
	}
}
