package app

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"strconv"
	"strings"

	"gatehouse/models"
	"gatehouse/store"
)

// The public invitation's link token and join code must be shown to admins again, so they
// cannot only be hashed. They are looked up by hash (like every token) and kept sealed with
// AES-GCM under a key derived from the installation secret: a copy of the organizations table
// alone (an export, a log of a query) shows neither. The secret sits in the same database, so
// this does not protect against a thief of the whole file; nothing stored could, and joining
// only ever lands in Pending, behind an admin's approval.

// JoinLink is the public invitation as Settings shows it.
type JoinLink struct {
	Enabled bool
	Link    string // "" until first enabled
	Code    string // the join code, formatted "ACDE-FGHJ"
	Uses    int
	Org     *models.Organization
}

// PublicInvitation returns the current organization's public invitation (Owners and Admins).
func (s *Service) PublicInvitation(ctx context.Context, cur *models.Current) (*JoinLink, error) {
	if !cur.Can(models.PermManageOrg) {
		return nil, models.ErrForbidden
	}
	org, err := s.st.FindOrganization(ctx, cur.Org.ID)
	if err != nil {
		return nil, err
	}
	return s.joinLink(ctx, org)
}

func (s *Service) joinLink(ctx context.Context, org *models.Organization) (*JoinLink, error) {
	jl := &JoinLink{Enabled: org.JoinEnabled, Uses: org.JoinUses, Org: org}
	if len(org.JoinSealed) == 0 {
		return jl, nil
	}
	token, code, err := s.openJoin(ctx, org.JoinSealed)
	if err != nil {
		return nil, err
	}
	jl.Link, jl.Code = s.JoinURL(token), models.FormatJoinCode(code)
	return jl, nil
}

// JoinURL is the public invitation link for a raw link token.
func (s *Service) JoinURL(token string) string { return s.link("/join/"+token, nil) }

// JoinLinkAction is what an admin does to the public invitation.
type JoinLinkAction string

// Public invitation actions.
const (
	JoinEnable     JoinLinkAction = "enable"
	JoinDisable    JoinLinkAction = "disable"
	JoinRegenerate JoinLinkAction = "regenerate"
	JoinSaveLimits JoinLinkAction = "save"
)

// ChangePublicInvitation enables (making a link and code the first time), disables or
// regenerates the public invitation (the old link and code stop at once, uses start over),
// or saves its limits (expiry, cap on uses, allowed domains; with Enable too). Owners and
// Admins; audited.
func (s *Service) ChangePublicInvitation(ctx context.Context, cur *models.Current, act JoinLinkAction, req models.JoinLinkRequest, meta models.Meta) (*JoinLink, error) {
	if !cur.Can(models.PermManageOrg) {
		return nil, models.ErrForbidden
	}
	var upd store.JoinLinkUpdate
	detail := string(act)
	switch act {
	case JoinEnable, JoinSaveLimits:
		if errs := req.Validate(s.now()); errs.Any() {
			return nil, errs
		}
		domains := strings.Join(req.DomainList, ",")
		upd.ExpiresAt, upd.MaxUses, upd.Domains = &req.ExpiresAt, &req.Cap, &domains
		detail += "; expires " + expiryText(req) + "; cap " + capText(req.Cap) + "; domains " + orAny(domains)
		if act == JoinEnable {
			on := true
			upd.Enabled = &on
		}
	case JoinDisable:
		off := false
		upd.Enabled = &off
	case JoinRegenerate:
	default:
		return nil, models.ErrInvalid
	}
	var org *models.Organization
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		cur0, err := s.st.FindOrganization(ctx, cur.Org.ID)
		if err != nil {
			return err
		}
		if act == JoinRegenerate || (act == JoinEnable && len(cur0.JoinSealed) == 0) {
			token, _ := models.NewToken()
			code := models.NewJoinCode()
			sealed, err := s.sealJoin(ctx, token, code)
			if err != nil {
				return err
			}
			upd.TokenHash, upd.CodeHash, upd.Sealed = models.HashToken(token), models.HashToken(code), sealed
		}
		if org, err = s.st.UpdateJoinLink(ctx, cur.Org.ID, upd); err != nil {
			return err
		}
		return s.st.Audit(ctx, cur.Event(models.ActionJoinLinkChanged, detail), meta)
	})
	if err != nil {
		return nil, err
	}
	return s.joinLink(ctx, org)
}

func expiryText(r models.JoinLinkRequest) string {
	if r.ExpiresAt == nil {
		return "never"
	}
	return r.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")
}

func capText(n int) string {
	if n == 0 {
		return "none"
	}
	return strconv.Itoa(n)
}

func orAny(s string) string {
	if s == "" {
		return "any"
	}
	return s
}

// joinKey derives the sealing key of public invitations from the installation secret.
func (s *Service) joinKey(ctx context.Context) (cipher.AEAD, error) {
	secret, err := s.st.Secret(ctx)
	if err != nil {
		return nil, err
	}
	k := sha256.Sum256(append([]byte("gatehouse public invitation\x00"), secret...))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func (s *Service) sealJoin(ctx context.Context, token, code string) ([]byte, error) {
	aead, err := s.joinKey(ctx)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return aead.Seal(nonce, nonce, []byte(token+" "+code), nil), nil
}

func (s *Service) openJoin(ctx context.Context, sealed []byte) (token, code string, err error) {
	aead, err := s.joinKey(ctx)
	if err != nil {
		return "", "", err
	}
	if len(sealed) < aead.NonceSize() {
		return "", "", errors.New("app: sealed public invitation too short")
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], nil)
	if err != nil {
		return "", "", err
	}
	token, code, _ = strings.Cut(string(plain), " ")
	return token, code, nil
}
