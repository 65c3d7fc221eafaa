package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"gorm.io/gorm"

	"gatehouse/models"
)

// SeedOptions size the development data Seed writes.
type SeedOptions struct {
	Members      int    // memberships to add
	Seed         uint64 // random seed: the same seed gives the same data
	PasswordHash string // one precomputed hash shared by every seeded account
}

// SeedResult says what Seed wrote.
type SeedResult struct {
	Org     models.Organization
	Members int
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

// Seed fills the first organization (creating "Acme" when there is none) with realistic members:
// 80% active, 10% invited, 5% pending, 5% terminated, in batches of one transaction each.
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
	var offset int64
	if err := db.Model(&models.Membership{}).Where("org_id = ?", res.Org.ID).Count(&offset).Error; err != nil {
		return nil, fmt.Errorf("store: unable to count members: %w", err)
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
	now := s.now()
	const batch = 2000
	for start := 0; start < opts.Members; start += batch {
		n := min(batch, opts.Members-start)
		err := s.tx(ctx, func(tx *gorm.DB) error {
			users := make([]models.User, 0, n)
			members := make([]models.Membership, 0, n)
			for i := range n {
				seq := int(offset) + start + i
				first, last := seedFirst[rng.IntN(len(seedFirst))], seedLast[rng.IntN(len(seedLast))]
				email := fmt.Sprintf("%s.%s.%d@example.com", strings.ToLower(first), strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(last, " ", ""), "ä", "a")), seq)
				status := seedStatus(rng.IntN(100))
				joined := now.Add(-time.Duration(rng.IntN(3*365*24)) * time.Hour)
				m := models.Membership{OrgID: res.Org.ID, Status: status, Email: email,
					Department: seedDepartments[rng.IntN(len(seedDepartments))], Position: seedPositions[rng.IntN(len(seedPositions))],
					JobID: fmt.Sprintf("J%06d", seq), CreatedAt: joined, UpdatedAt: joined}
				m.SetName(first, last)
				if status == models.StatusActive && rng.IntN(10) > 0 {
					m.LastLoginAt = now.Add(-time.Duration(rng.IntN(90*24*60)) * time.Minute)
				}
				if status != models.StatusInvited {
					users = append(users, models.User{Email: email, FirstName: first, LastName: last, PasswordHash: opts.PasswordHash,
						LastOrgID: &res.Org.ID, LastLoginAt: m.LastLoginAt, CreatedAt: joined, UpdatedAt: joined})
				}
				members = append(members, m)
			}
			if len(users) > 0 {
				if err := tx.CreateInBatches(&users, 500).Error; err != nil {
					return err
				}
			}
			ids := make(map[string]int64, len(users))
			for _, u := range users {
				ids[u.Email] = u.ID
			}
			for i := range members {
				if id, ok := ids[members[i].Email]; ok {
					members[i].UserID = &id
				}
			}
			if err := tx.CreateInBatches(&members, 500).Error; err != nil {
				return err
			}
			type roleRow struct {
				MembershipID int64
				Role         models.Role
			}
			roles := make([]roleRow, len(members))
			for i, m := range members {
				roles[i] = roleRow{m.ID, seedRole(rng.IntN(100))}
			}
			return tx.Table("membership_roles").CreateInBatches(roles, 500).Error
		})
		if err != nil {
			return nil, fmt.Errorf("store: unable to seed members: %w", err)
		}
		res.Members += n
	}
	return res, nil
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
