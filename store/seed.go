package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"gatehouse/models"
)

// SeedOptions size the development data Seed writes.
type SeedOptions struct {
	Members int    // memberships to add
	Seed    uint64 // random seed: the same seed gives the same data
	// Invitations is how many invitation links to write for the invited members: each gets at
	// least one, earlier links of a member are superseded, and about a quarter of the newest
	// have expired. Zero means one for every five members (20,000 for 100,000).
	Invitations  int
	PasswordHash string // one precomputed hash shared by every seeded account
}

// SeedResult says what Seed wrote.
type SeedResult struct {
	Org         models.Organization
	Members     int
	Invitations int
	AuditEvents int
}

var (
	seedFirst = []string{"Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger",
		"Radia", "Tim", "Katherine", "John", "Hedy", "Donald", "Sophie", "Niklaus", "Annie", "Guido", "Mary", "James",
		"Leslie", "Bjarne", "Adele", "Robert", "Karen", "Rob", "Jean", "Whitfield", "Shafi", "Vint", "Lynn", "Bob",
		"Carol", "Joan", "Ivan", "Anita", "Yukihiro", "Evelyn"}
	seedLast = []string{"Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen",
		"Dijkstra", "Perlman", "Berners-Lee", "Johnson", "McCarthy", "Lamarr", "Knuth", "Wilson", "Wirth", "Easley",
		"van Rossum", "Keller", "Gosling", "Lamport", "Stroustrup", "Goldberg", "Tarjan", "Spärck Jones", "Pike",
		"Sammet", "Diffie", "Goldwasser", "Cerf", "Conway", "Kahn", "Shaw", "Clarke", "Sutherland", "Borg", "Matsumoto", "Boyd"}
	seedDepartments = []string{"Engineering", "Sales", "Marketing", "Support", "Finance", "Operations", "Design", "Legal", "People", "Research"}
	seedPositions   = []string{"Engineer", "Manager", "Analyst", "Designer", "Specialist", "Lead", "Director", "Associate"}
)

// seedBatch is how many members one seeding transaction writes.
const seedBatch = 20_000

// Seed fills the first organization (creating "Acme" when there is none) with a realistic
// organization: members (80% active, 10% invited, 5% pending, 5% terminated) with departments,
// positions and roles; invitation links for the invited ones, with their emails in the outbox
// (sent); and the audit events all that would have written. Rows go in as multi-row INSERTs,
// one transaction per 20,000 members, so 100,000 members take seconds.
func (s *Store) Seed(ctx context.Context, opts SeedOptions) (*SeedResult, error) {
	res := &SeedResult{}
	db := s.w.WithContext(ctx)
	if err := db.Order("id").Take(&res.Org).Error; err != nil {
		if notFound(err) != models.ErrNotFound {
			return nil, fmt.Errorf("store: unable to find organization to seed: %w", err)
		}
		res.Org = models.Organization{Name: "Acme", InviteLifetimeHours: models.DefaultInviteLifetimeHours}
		if err := db.Create(&res.Org).Error; err != nil {
			return nil, fmt.Errorf("store: unable to create organization to seed: %w", err)
		}
	}
	// Tuned for the bulk load only (the writer is one connection), and reset after.
	defer s.d.bulkLoad(db)()
	var offset int64
	if err := db.Model(&models.Membership{}).Where("org_id = ?", res.Org.ID).Count(&offset).Error; err != nil {
		return nil, fmt.Errorf("store: unable to count members: %w", err)
	}
	invitations := opts.Invitations
	if invitations <= 0 {
		invitations = opts.Members / 5
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
	now := s.now()
	g := &seeder{d: s.d, rng: rng, now: now, org: res.Org, hash: opts.PasswordHash, seq: int(offset), seed: opts.Seed}
	for start := 0; start < opts.Members; start += seedBatch {
		n := min(seedBatch, opts.Members-start)
		// The invitations still to write are spread over the members still to write: this
		// batch gets its share in proportion to its size (every invited member gets one anyway).
		share := 0
		if left := opts.Members - start; left > 0 {
			share = int(int64(invitations-res.Invitations) * int64(n) / int64(left))
		}
		err := s.tx(ctx, func(tx *gorm.DB) error { return g.batch(tx, n, share) })
		if err != nil {
			return nil, fmt.Errorf("store: unable to seed members: %w", err)
		}
		res.Members += n
		res.Invitations, res.AuditEvents = g.invitations, g.audits
	}
	return res, nil
}

// seeder writes seed batches, carrying what spans them: the random source, the email
// sequence, the inviters seen so far and running totals.
type seeder struct {
	d                   dialect
	rng                 *rand.Rand
	now                 time.Time
	org                 models.Organization
	hash                string
	seq                 int
	seed                uint64
	inviters            []seedUser // seeded active Admins, who send the invitations
	depts               []int64    // the organization's departments named seedDepartments
	invitations, audits int
}

func (g *seeder) batch(tx *gorm.DB, n, invitations int) error {
	rng, now, orgID := g.rng, g.now, g.org.ID
	if g.depts == nil {
		if err := g.departments(tx); err != nil {
			return err
		}
	}
	// Rows carry their own ids, counted on from the largest of each table.
	idTables := []string{"users", "memberships", "invitations", "outbox_messages", "audit_events"}
	last, err := g.d.lastIDs(tx, idTables...)
	if err != nil {
		return err
	}
	ids := struct{ U, M, I, O, A int64 }{last[0], last[1], last[2], last[3], last[4]}
	users := newRows("users", "id", "email", "first_name", "last_name", "password_hash", "last_org_id", "last_login_at", "created_at", "updated_at")
	members := newRows("memberships", "id", "org_id", "user_id", "status", "email", "first_name", "last_name", "name_key", "last_name_key",
		"department_id", "position", "job_id", "invited_by_id", "last_login_at", "created_at", "updated_at")
	roles := newRows("membership_roles", "membership_id", "role")
	invs := newRows("invitations", "id", "org_id", "membership_id", "email", "token_hash", "invited_by_id", "expires_at", "superseded_at", "created_at")
	outbox := newRows("outbox_messages", "id", "org_id", "invitation_id", "channel", "recipient", "subject", "text_body", "status",
		"attempts", "next_attempt_at", "sent_at", "created_at")
	audit := newRows("audit_events", "id", "org_id", "actor_user_id", "actor_email", "action", "target_membership_id", "target_email", "ip", "detail", "created_at")
	type invited struct {
		id     int64
		email  string
		joined time.Time
		role   models.Role
		row    int // in members
	}
	var pending []invited
	inviter := func() (any, string) {
		if len(g.inviters) == 0 {
			return nil, ""
		}
		u := g.inviters[rng.IntN(len(g.inviters))]
		return u.id, u.email
	}
	addAudit := func(action models.Action, actorID any, actorEmail string, target int64, email, detail string, at time.Time) {
		ids.A++
		audit.add(ids.A, orgID, actorID, actorEmail, string(action), target, email, "192.0.2.1", detail, at)
	}
	for range n {
		seq := g.seq
		g.seq++
		first, last := seedFirst[rng.IntN(len(seedFirst))], seedLast[rng.IntN(len(seedLast))]
		email := fmt.Sprintf("%s.%s.%d@example.com", strings.ToLower(first), strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(last, " ", ""), "ä", "a")), seq)
		status := seedStatus(rng.IntN(100))
		joined := now.Add(-time.Duration(rng.IntN(3*365*24)) * time.Hour)
		role := seedRole(rng.IntN(100))
		var lastLogin time.Time
		if status == models.StatusActive && rng.IntN(10) > 0 {
			lastLogin = now.Add(-time.Duration(rng.IntN(90*24*60)) * time.Minute)
		}
		nameKey, lastKey := models.NameKeys(first, last, email)
		ids.M++
		var userID, invitedBy any
		if status != models.StatusInvited {
			ids.U++
			userID = ids.U
			users.add(ids.U, email, first, last, g.hash, orgID, lastLogin, joined, joined)
			if role == models.RoleAdmin && status == models.StatusActive {
				g.inviters = append(g.inviters, seedUser{ids.U, email})
			}
		} else {
			// The newest link was sent in the last four days, so about a quarter have expired.
			joined = now.Add(-time.Duration(rng.IntN(96*60)) * time.Minute)
			invitedBy, _ = inviter()
			pending = append(pending, invited{ids.M, email, joined, role, members.n})
		}
		members.add(ids.M, orgID, userID, string(status), email, first, last, nameKey, lastKey,
			g.depts[rng.IntN(len(g.depts))], seedPositions[rng.IntN(len(seedPositions))],
			fmt.Sprintf("J%06d", seq), invitedBy, lastLogin, joined, joined)
		roles.add(ids.M, string(role))
		switch status {
		case models.StatusActive:
			addAudit(models.ActionSignedUp, userID, email, ids.M, email, "", joined)
		case models.StatusTerminated:
			addAudit(models.ActionSignedUp, userID, email, ids.M, email, "", joined)
			by, byEmail := inviter()
			addAudit(models.ActionTerminated, by, byEmail, ids.M, email, "", joined.Add(time.Duration(rng.IntN(24*90))*time.Hour))
		}
	}
	// Every invited member gets a link; the rest of the batch's share goes to random ones as
	// reinvites. Only the newest link of a member is live (or expired); earlier ones are superseded.
	links := make([]int, len(pending))
	for i := range links {
		links[i] = 1
	}
	for extra := invitations - len(pending); extra > 0 && len(pending) > 0; extra-- {
		links[rng.IntN(len(pending))]++
	}
	lifetime := time.Duration(g.org.InviteLifetimeHours) * time.Hour
	for i, p := range pending {
		// Links are written oldest first; each one before the newest was superseded by the next.
		times := make([]time.Time, links[i])
		at := p.joined
		for k := len(times) - 1; k >= 0; k-- {
			times[k] = at
			at = at.Add(-time.Duration(1+rng.IntN(48)) * time.Hour)
		}
		for k, at := range times {
			ids.I++
			by, byEmail := inviter()
			var superseded any
			if k < len(times)-1 {
				superseded = times[k+1]
			}
			invs.add(ids.I, orgID, p.id, p.email, g.token(ids.I), by, at.Add(lifetime), superseded, at)
			ids.O++
			outbox.add(ids.O, orgID, ids.I, string(models.ChannelEmail), p.email, "You're invited to join "+g.org.Name,
				"Seeded invitation email (development data; the link itself is not kept).", string(models.OutboxSent), 1, at, at, at)
			action := models.ActionInvited
			if k > 0 {
				action = models.ActionReinvited
			}
			addAudit(action, by, byEmail, p.id, p.email, "roles "+rolesText([]models.Role{p.role}), at)
		}
		members.set(p.row, "created_at", times[0])
		g.invitations += links[i]
	}
	g.audits += audit.n
	for _, r := range []*rows{users, members, roles, invs, outbox, audit} {
		if err := r.insert(tx, g.d.maxBindVars()); err != nil {
			return err
		}
	}
	return g.d.afterIDs(tx, idTables...)
}

// token is a fixed, unique token hash for a seeded link (nobody knows its token).
func (g *seeder) token(id int64) []byte {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], g.seed)
	binary.LittleEndian.PutUint64(b[8:], uint64(id))
	h := sha256.Sum256(b[:])
	return h[:]
}

type seedUser struct {
	id    int64
	email string
}

// rows collects values for a multi-row INSERT into one table.
type rows struct {
	table string
	cols  []string
	vals  []any
	n     int
}

func newRows(table string, cols ...string) *rows { return &rows{table: table, cols: cols} }

func (r *rows) add(vals ...any) {
	r.vals = append(r.vals, vals...)
	r.n++
}

// set changes one value of an added row.
func (r *rows) set(row int, col string, v any) {
	r.vals[row*len(r.cols)+slices.Index(r.cols, col)] = v
}

// insert writes the rows in statements of at most maxVars bound values.
func (r *rows) insert(tx *gorm.DB, maxVars int) error {
	per := max(1, maxVars/len(r.cols))
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", len(r.cols)), ",") + ")"
	for start := 0; start < r.n; start += per {
		k := min(per, r.n-start)
		sql := "INSERT INTO " + r.table + " (" + strings.Join(r.cols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(tuple+",", k), ",")
		if err := tx.Exec(sql, r.vals[start*len(r.cols):(start+k)*len(r.cols)]...).Error; err != nil {
			return fmt.Errorf("insert into %s: %w", r.table, err)
		}
	}
	return nil
}

func seedStatus(p int) models.Status {
	switch {
	case p < 80:
		return models.StatusActive
	case p < 90:
		return models.StatusInvited
	case p < 95:
		return models.StatusPending
	}
	return models.StatusTerminated
}

func seedRole(p int) models.Role {
	switch {
	case p < 2:
		return models.RoleAdmin
	case p < 30:
		return models.RoleEditor
	}
	return models.RoleViewer
}

// departments finds or creates the organization's departments named seedDepartments.
func (g *seeder) departments(tx *gorm.DB) error {
	for _, name := range seedDepartments {
		d := models.Department{OrgID: g.org.ID, Name: name}
		if err := tx.Where("org_id = ? AND name = ?", g.org.ID, name).Attrs(models.Department{CreatedAt: g.now, UpdatedAt: g.now}).
			FirstOrCreate(&d).Error; err != nil {
			return fmt.Errorf("store: unable to seed departments: %w", err)
		}
		g.depts = append(g.depts, d.ID)
	}
	return nil
}
