package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"gatehouse/models"
)

var errNoRows = sql.ErrNoRows

// CountUsers returns how many accounts exist.
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	if err := s.reader(ctx).Model(&models.User{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: unable to count users: %w", err)
	}
	return n, nil
}

// FindUserByEmail returns the account with that (normalised) email, or models.ErrNotFound.
func (s *Store) FindUserByEmail(ctx context.Context, email string) (*models.User, error) {
	var u models.User
	if err := s.reader(ctx).Where("email = ?", email).Take(&u).Error; err != nil {
		if err = notFound(err); err == models.ErrNotFound {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to find user: %w", err)
	}
	return &u, nil
}

// CreateOwnerInput is an Owner added from the command line.
type CreateOwnerInput struct {
	Email        string
	FirstName    string
	LastName     string
	PasswordHash string
	OrgName      string // organization to use or create; the first one when empty
}

// CreateOwnerResult says what CreateOwner did.
type CreateOwnerResult struct {
	Org         models.Organization
	User        models.User
	Membership  models.Membership // the Owner membership
	CreatedUser bool              // false when the account existed and was only given Owner
	CreatedOrg  bool
}

// CreateOwner makes email an active Owner (app.CreateOwner audits it), in the organization
// named OrgName, which is created when none has that name, or without a name in the first
// one (on an empty database a new one named "Gatehouse"). An existing account keeps its password and is given Owner:
// this is the recovery path for a team locked out of its console.
func (s *Store) CreateOwner(ctx context.Context, in CreateOwnerInput) (*CreateOwnerResult, error) {
	res := &CreateOwnerResult{}
	err := s.InTx(ctx, func(ctx context.Context) error {
		// The first Owner is made here or through the setup link (CompleteSetup), never both.
		if err := s.serialize(ctx, "setup", 0); err != nil {
			return err
		}
		tx := s.writer(ctx)
		q := tx.Order("id")
		if in.OrgName != "" {
			q = q.Where("name = ?", in.OrgName)
		}
		err := q.Take(&res.Org).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			// No organization of that name (or none at all): create it (issue 11).
			res.Org = models.Organization{Name: in.OrgName, InviteLifetimeHours: 72}
			if res.Org.Name == "" {
				res.Org.Name = "Gatehouse"
			}
			if err := tx.Create(&res.Org).Error; err != nil {
				return err
			}
			res.CreatedOrg = true
		case err != nil:
			return err
		}
		err = tx.Where("email = ?", in.Email).Take(&res.User).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			res.User = models.User{Email: in.Email, FirstName: in.FirstName, LastName: in.LastName, PasswordHash: in.PasswordHash, LastOrgID: &res.Org.ID}
			if err := tx.Create(&res.User).Error; err != nil {
				return err
			}
			res.CreatedUser = true
		case err != nil:
			return err
		}
		m, err := grantOwner(tx, res.Org.ID, &res.User)
		if err != nil {
			return err
		}
		res.Membership = *m
		return nil
	})
	if err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to create owner: %w", err)
	}
	return res, nil
}

// grantOwner makes the user an active Owner of org, creating the membership if needed.
func grantOwner(tx *gorm.DB, orgID int64, u *models.User) (*models.Membership, error) {
	var m models.Membership
	err := tx.Where("org_id = ? AND (user_id = ? OR email = ?)", orgID, u.ID, u.Email).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return addMembership(tx, orgID, u, []models.Role{models.RoleOwner})
	}
	if err != nil {
		return nil, err
	}
	m.UserID, m.Status = &u.ID, models.StatusActive
	if err := tx.Model(&m).Select("user_id", "status", "updated_at").Updates(&m).Error; err != nil {
		return nil, err
	}
	if err := tx.Exec("INSERT INTO membership_roles (membership_id, role) VALUES (?, ?) ON CONFLICT DO NOTHING", m.ID, models.RoleOwner).Error; err != nil {
		return nil, err
	}
	return &m, nil
}

// addMembership creates an active membership for u in org with roles.
func addMembership(tx *gorm.DB, orgID int64, u *models.User, roles []models.Role) (*models.Membership, error) {
	m := models.Membership{OrgID: orgID, UserID: &u.ID, Status: models.StatusActive, Email: u.Email}
	m.SetName(u.FirstName, u.LastName)
	if err := tx.Create(&m).Error; err != nil {
		return nil, err
	}
	return &m, setRoles(tx, m.ID, roles)
}

func setRoles(tx *gorm.DB, membershipID int64, roles []models.Role) error {
	if err := tx.Exec("DELETE FROM membership_roles WHERE membership_id = ?", membershipID).Error; err != nil {
		return err
	}
	for _, r := range models.SortRoles(roles) {
		if err := tx.Exec("INSERT INTO membership_roles (membership_id, role) VALUES (?, ?)", membershipID, r).Error; err != nil {
			return err
		}
	}
	return nil
}

// FindUser returns the account with that id, or models.ErrNotFound.
func (s *Store) FindUser(ctx context.Context, id int64) (*models.User, error) {
	return findByID[models.User](s.reader(ctx), id, "user")
}
