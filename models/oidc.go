package models

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// OIDCClient is an OpenID Connect relying party of one of the organization's apps: the app
// signs people in through Gatehouse. The secret is shown once, when the client is added, and
// kept only as its SHA-256 hash.
type OIDCClient struct {
	ID           int64
	OrgID        int64
	AppID        int64
	ClientID     string
	SecretHash   []byte `gorm:"column:secret_hash"`
	RedirectURIs string `gorm:"column:redirect_uris"` // one per line, compared as exact strings
	CreatedAt    time.Time
}

// TableName is the clients' table.
func (OIDCClient) TableName() string { return "oidc_clients" }

// Redirects are the client's redirect URIs.
func (c OIDCClient) Redirects() []string {
	if c.RedirectURIs == "" {
		return nil
	}
	return strings.Split(c.RedirectURIs, "\n")
}

// Limits of a client's redirect URIs.
const (
	MaxRedirectURIs   = 10
	MaxRedirectURILen = 500
)

// OIDCClientRequest is the Add client form: redirect URIs one per line.
type OIDCClientRequest struct {
	RedirectURIs string
	// Parsed by Validate.
	Parsed []string
}

// Validate checks each redirect URI: absolute https, or http only for localhost, 127.0.0.1
// or [::1] (a developer's machine); no fragment, no user. URIs are kept exactly as typed
// (the provider compares them as exact strings), only trimmed of surrounding space.
func (r *OIDCClientRequest) Validate() FieldErrors {
	errs := FieldErrors{}
	r.Parsed = nil
	seen := map[string]bool{}
	for _, l := range strings.FieldsFunc(r.RedirectURIs, func(c rune) bool { return c == '\n' || c == '\r' }) {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if msg := RedirectURIProblem(l); msg != "" {
			errs.Add("redirect_uris", msg)
			continue
		}
		if seen[l] {
			errs.Add("redirect_uris", quoteShort(l)+" is listed twice.")
			continue
		}
		seen[l] = true
		r.Parsed = append(r.Parsed, l)
	}
	switch {
	case len(r.Parsed) == 0 && !errs.Any():
		errs.Add("redirect_uris", "Enter the app's redirect URI, such as https://grafana.example.com/login/generic_oauth.")
	case len(r.Parsed) > MaxRedirectURIs:
		errs.Add("redirect_uris", "A client has at most "+strconv.Itoa(MaxRedirectURIs)+" redirect URIs.")
	}
	return errs
}

// RedirectURIProblem says what is wrong with one redirect URI, "" when nothing is.
func RedirectURIProblem(s string) string {
	if len(s) > MaxRedirectURILen {
		return "A redirect URI is too long (at most " + strconv.Itoa(MaxRedirectURILen) + " characters)."
	}
	if strings.ContainsAny(s, "\\ \t") || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return quoteShort(s) + " is not a URL."
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return quoteShort(s) + " is not an absolute URL, such as https://grafana.example.com/login/generic_oauth."
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return quoteShort(s) + ": a redirect URI has no fragment (#…)."
	}
	if u.User != nil {
		return quoteShort(s) + ": a redirect URI has no user name."
	}
	switch u.Scheme {
	case "https":
	case "http":
		h := u.Hostname()
		if h != "localhost" && !(net.ParseIP(h) != nil && net.ParseIP(h).IsLoopback()) {
			return quoteShort(s) + ": use https (http only for localhost or 127.0.0.1)."
		}
	default:
		return quoteShort(s) + ": use https (http only for localhost or 127.0.0.1)."
	}
	return ""
}

// OIDCKey is one of the provider's RS256 signing keys: the private key in PKCS#8 DER. The
// newest key not retired signs; retired keys stay published until their tokens expired.
type OIDCKey struct {
	ID         string
	PrivateDER []byte `gorm:"column:private_der"`
	CreatedAt  time.Time
	RetiredAt  *time.Time
}

// TableName is the keys' table.
func (OIDCKey) TableName() string { return "oidc_keys" }

// OIDCAuthRequest is an authorization request waiting for the person to log in (UserID nil),
// then for the client to exchange its code (CodeHash set).
type OIDCAuthRequest struct {
	ID           string
	ClientID     string
	Request      string // the request as the provider library read it (JSON)
	UserID       *int64
	MembershipID *int64
	AuthTime     *time.Time
	CodeHash     []byte
	CreatedAt    time.Time
}

// TableName is the authorization requests' table.
func (OIDCAuthRequest) TableName() string { return "oidc_auth_requests" }

// OIDCRefreshToken is a refresh token, stored as the SHA-256 of the token.
type OIDCRefreshToken struct {
	ID           string
	TokenHash    []byte
	ClientID     string
	UserID       int64
	MembershipID int64
	Scopes       string // space-separated
	AMR          string `gorm:"column:amr"` // space-separated
	AuthTime     time.Time
	ExpiresAt    time.Time
	CreatedAt    time.Time
}

// TableName is the refresh tokens' table.
func (OIDCRefreshToken) TableName() string { return "oidc_refresh_tokens" }
