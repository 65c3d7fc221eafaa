package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"

	"gatehouse/models"
)

// NewOIDCClient is a client just added, with its secret: the only time the secret is seen.
type NewOIDCClient struct {
	Client models.OIDCClient
	Secret string
}

// ListOIDCClients returns an app's OpenID Connect clients (never their secrets).
func (s *Service) ListOIDCClients(ctx context.Context, cur *models.Current, appID int64) ([]models.OIDCClient, error) {
	if !cur.Can(models.PermManageOrg) {
		return nil, models.ErrForbidden
	}
	if _, err := s.st.FindApp(ctx, cur.Org.ID, appID); err != nil {
		return nil, err
	}
	return s.st.ListOIDCClients(ctx, cur.Org.ID, appID)
}

// AddOIDCClient adds an OpenID Connect client to one of the organization's apps, with a
// random client id and secret. The secret is returned once and stored as its SHA-256 hash
// (32 random bytes: a plain hash is enough for a secret nobody could guess). Invalid redirect
// URIs are models.FieldErrors.
func (s *Service) AddOIDCClient(ctx context.Context, cur *models.Current, appID int64, req models.OIDCClientRequest, meta models.Meta) (*NewOIDCClient, error) {
	if !cur.Can(models.PermManageOrg) {
		return nil, models.ErrForbidden
	}
	errs := req.Validate()
	id := make([]byte, 12)
	rand.Read(id)
	secret, hash := models.NewToken()
	c := models.OIDCClient{OrgID: cur.Org.ID, AppID: appID, ClientID: "gh-" + hex.EncodeToString(id), SecretHash: hash, RedirectURIs: strings.Join(req.Parsed, "\n")}
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		a, err := s.st.FindApp(ctx, cur.Org.ID, appID)
		if err != nil {
			return err
		}
		if errs.Any() {
			return errs
		}
		if err := s.st.CreateOIDCClient(ctx, &c); err != nil {
			return err
		}
		return s.st.Audit(ctx, cur.Event(models.ActionOIDCClientAdded, a.Name+": "+c.ClientID+" ("+strings.Join(req.Parsed, ", ")+")"), meta)
	})
	if err != nil {
		return nil, err
	}
	return &NewOIDCClient{Client: c, Secret: secret}, nil
}

// RemoveOIDCClient deletes one of an app's clients: its pending sign-ins and refresh tokens
// end with it.
func (s *Service) RemoveOIDCClient(ctx context.Context, cur *models.Current, appID, id int64, meta models.Meta) error {
	if !cur.Can(models.PermManageOrg) {
		return models.ErrForbidden
	}
	return s.st.InTx(ctx, func(ctx context.Context) error {
		a, err := s.st.FindApp(ctx, cur.Org.ID, appID)
		if err != nil {
			return err
		}
		clients, err := s.st.ListOIDCClients(ctx, cur.Org.ID, appID)
		if err != nil {
			return err
		}
		var clientID string
		for _, c := range clients {
			if c.ID == id {
				clientID = c.ClientID
			}
		}
		if clientID == "" {
			return models.ErrNotFound
		}
		if err := s.st.DeleteOIDCClient(ctx, cur.Org.ID, appID, id); err != nil {
			return err
		}
		return s.st.Audit(ctx, cur.Event(models.ActionOIDCClientRemoved, a.Name+": "+clientID), meta)
	})
}

// RotatedKey says what a signing-key rotation did: the new key's id (the kid of the tokens
// signed from now on) and the ids retired (still published for OIDCRetiredKeyPublished).
type RotatedKey struct {
	KeyID   string
	Retired []string
}

// RotateSigningKey generates a new RS256 signing key and retires the current one, in one
// transaction: the provider signs with the new key from then on, and the retired key stays in
// the JWKS for a day so ID tokens it signed still verify. The keys serve every organization,
// so only Owners may rotate them.
func (s *Service) RotateSigningKey(ctx context.Context, cur *models.Current, meta models.Meta) (*RotatedKey, error) {
	if !cur.Can(models.PermManageOwners) {
		return nil, models.ErrForbidden
	}
	return s.rotateSigningKey(ctx, func(ctx context.Context, detail string) error {
		return s.st.Audit(ctx, cur.Event(models.ActionOIDCKeyRotated, detail), meta)
	})
}

// RotateSigningKeyCLI is RotateSigningKey from the command line (gatehouse rotate-oidc-key):
// audited in every organization as done from the command line, as CreateOwner is.
func (s *Service) RotateSigningKeyCLI(ctx context.Context) (*RotatedKey, error) {
	return s.rotateSigningKey(ctx, func(ctx context.Context, detail string) error {
		ids, err := s.st.OrganizationIDs(ctx)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := s.st.Audit(ctx, models.AuditEvent{OrgID: &id, ActorEmail: "command line", Action: models.ActionOIDCKeyRotated,
				Detail: detail}, models.Meta{IP: "local"}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Service) rotateSigningKey(ctx context.Context, audit func(ctx context.Context, detail string) error) (*RotatedKey, error) {
	k, err := newOIDCKey()
	if err != nil {
		return nil, err
	}
	var retired []string
	err = s.st.InTx(ctx, func(ctx context.Context) error {
		if retired, err = s.st.RotateOIDCKey(ctx, &k, s.now().Add(-OIDCRetiredKeyPublished)); err != nil {
			return err
		}
		detail := "new key " + k.ID
		if len(retired) > 0 {
			detail += "; retired " + strings.Join(retired, ", ")
		}
		return audit(ctx, detail)
	})
	s.keys.clear() // after the commit (or a failure): the next token reads the keys again
	if err != nil {
		return nil, err
	}
	return &RotatedKey{KeyID: k.ID, Retired: retired}, nil
}
