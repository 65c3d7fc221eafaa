package app

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"gatehouse/models"
)

// Lifetimes of what the OpenID Connect provider issues.
const (
	OIDCAuthRequestLifetime = 10 * time.Minute
	OIDCAccessTokenLifetime = 5 * time.Minute
	OIDCIDTokenLifetime     = 5 * time.Minute
	OIDCRefreshLifetime     = 30 * 24 * time.Hour
	// OIDCRetiredKeyPublished is how long a retired signing key stays in the JWKS, so the ID
	// tokens it signed still verify; rotation deletes keys retired longer ago.
	OIDCRetiredKeyPublished = 24 * time.Hour
)

// OIDCLoginPath is where the provider sends a person to log in for an authorization request
// (Gatehouse's own login, MFA included, then the access check): ?id=<request id>.
const OIDCLoginPath = "/oidc/login"

// OIDCStorage is the OpenID Connect provider's storage (op.Storage of
// github.com/zitadel/oidc): clients, keys, requests and tokens in Gatehouse's database, and
// every decision by the gate's rule — an active member of the client's organization with
// access to the client's (enabled) app.
type OIDCStorage struct {
	s *Service
}

// OIDCKeyReload is how long the signing keys are cached: a rotation in this process clears
// the cache at once; one by the command line (another process) is seen within this time.
// Until then this process keeps signing with the retired key, which stays published.
const OIDCKeyReload = time.Minute

// oidcKeyCache holds the signing keys, newest first, as read at loaded.
type oidcKeyCache struct {
	mu     sync.Mutex
	keys   []oidcKey
	loaded time.Time
}

func (c *oidcKeyCache) clear() {
	c.mu.Lock()
	c.keys = nil
	c.mu.Unlock()
}

// OIDCStorage returns the provider's storage.
func (s *Service) OIDCStorage() *OIDCStorage { return &OIDCStorage{s: s} }

var _ op.Storage = (*OIDCStorage)(nil)

// mayUse reports whether the user is an active member of orgID with access to the enabled
// app, as the forward-auth gate decides; it returns the membership and user when so.
func (s *Service) mayUse(ctx context.Context, orgID, appID, userID int64) (*models.Membership, *models.User, bool, error) {
	m, u, err := s.st.FindActiveMember(ctx, orgID, userID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, err
	}
	_, enabled, err := s.appTable(ctx, orgID, s.st.Changes())
	if err != nil || !enabled[appID] {
		return nil, nil, false, err
	}
	ids, err := s.st.AppAccess(ctx, orgID, m.ID, m.Roles)
	if err != nil {
		return nil, nil, false, err
	}
	return m, u, slices.Contains(ids, appID), nil
}

// OIDCAuthorize completes an authorization request for the person logged in: the request
// must be pending, its client of the person's organization, and the member allowed to use
// the client's app; otherwise models.ErrForbidden (an error page; no code is issued). On
// success the caller sends the browser to the provider's callback.
func (s *Service) OIDCAuthorize(ctx context.Context, cur *models.Current, requestID string) (appName string, err error) {
	r, err := s.st.FindOIDCAuthRequest(ctx, requestID, nil)
	if err != nil {
		return "", err
	}
	if r.UserID != nil || s.now().Sub(r.CreatedAt) > OIDCAuthRequestLifetime {
		return "", models.ErrNotFound
	}
	c, err := s.st.FindOIDCClient(ctx, r.ClientID)
	if err != nil {
		return "", err
	}
	if c.OrgID != cur.Org.ID || cur.Org.MustEnroll(cur.User, s.now()) {
		return "", models.ErrForbidden
	}
	m, _, ok, err := s.mayUse(ctx, c.OrgID, c.AppID, cur.User.ID)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", models.ErrForbidden
	}
	a, err := s.st.FindApp(ctx, c.OrgID, c.AppID)
	if err != nil {
		return "", err
	}
	now := s.now()
	uid := cur.User.ID
	r.UserID, r.MembershipID, r.AuthTime = &uid, &m.ID, &now
	return a.Name, s.st.UpdateOIDCAuthRequest(ctx, r)
}

// oidcClient is a client as the provider library sees it.
type oidcClient struct{ c *models.OIDCClient }

func (c oidcClient) GetID() string                       { return c.c.ClientID }
func (c oidcClient) RedirectURIs() []string              { return c.c.Redirects() }
func (c oidcClient) PostLogoutRedirectURIs() []string    { return nil }
func (c oidcClient) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c oidcClient) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c oidcClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c oidcClient) LoginURL(id string) string            { return OIDCLoginPath + "?id=" + id }
func (c oidcClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c oidcClient) IDTokenLifetime() time.Duration       { return OIDCIDTokenLifetime }
func (c oidcClient) DevMode() bool                        { return false }
func (c oidcClient) IsScopeAllowed(string) bool           { return false }
func (c oidcClient) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c oidcClient) ClockSkew() time.Duration             { return 0 }
func (c oidcClient) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
}
func (c oidcClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c oidcClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// oidcAuthRequest is a stored authorization request as the library sees it.
type oidcAuthRequest struct {
	row models.OIDCAuthRequest
	req oidc.AuthRequest
}

func (a *oidcAuthRequest) GetID() string         { return a.row.ID }
func (a *oidcAuthRequest) GetACR() string        { return "" }
func (a *oidcAuthRequest) GetAMR() []string      { return []string{"pwd"} }
func (a *oidcAuthRequest) GetAudience() []string { return []string{a.row.ClientID} }
func (a *oidcAuthRequest) GetAuthTime() time.Time {
	if a.row.AuthTime == nil {
		return time.Time{}
	}
	return *a.row.AuthTime
}
func (a *oidcAuthRequest) GetClientID() string { return a.row.ClientID }
func (a *oidcAuthRequest) GetCodeChallenge() *oidc.CodeChallenge {
	return &oidc.CodeChallenge{Challenge: a.req.CodeChallenge, Method: a.req.CodeChallengeMethod}
}
func (a *oidcAuthRequest) GetNonce() string                   { return a.req.Nonce }
func (a *oidcAuthRequest) GetRedirectURI() string             { return a.req.RedirectURI }
func (a *oidcAuthRequest) GetResponseType() oidc.ResponseType { return a.req.ResponseType }
func (a *oidcAuthRequest) GetResponseMode() oidc.ResponseMode { return a.req.ResponseMode }
func (a *oidcAuthRequest) GetScopes() []string                { return a.req.Scopes }
func (a *oidcAuthRequest) GetState() string                   { return a.req.State }
func (a *oidcAuthRequest) GetSubject() string {
	if a.row.UserID == nil {
		return ""
	}
	return strconv.FormatInt(*a.row.UserID, 10)
}
func (a *oidcAuthRequest) Done() bool { return a.row.UserID != nil }

// oidcRefreshRequest is a stored refresh token as the library sees it.
type oidcRefreshRequest struct {
	t      models.OIDCRefreshToken
	scopes []string
}

func (r *oidcRefreshRequest) GetAMR() []string            { return strings.Fields(r.t.AMR) }
func (r *oidcRefreshRequest) GetAudience() []string       { return []string{r.t.ClientID} }
func (r *oidcRefreshRequest) GetAuthTime() time.Time      { return r.t.AuthTime }
func (r *oidcRefreshRequest) GetClientID() string         { return r.t.ClientID }
func (r *oidcRefreshRequest) GetScopes() []string         { return r.scopes }
func (r *oidcRefreshRequest) GetSubject() string          { return strconv.FormatInt(r.t.UserID, 10) }
func (r *oidcRefreshRequest) SetCurrentScopes(s []string) { r.scopes = s }

func randomID() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateAuthRequest stores a new authorization request. PKCE with S256 is required.
func (o *OIDCStorage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if req.CodeChallenge == "" || req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE with code_challenge_method=S256 is required")
	}
	b, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	row := models.OIDCAuthRequest{ID: randomID(), ClientID: req.ClientID, Request: string(b)}
	if err := o.s.st.DeleteOIDCAuthRequest(ctx, "", o.s.now().Add(-OIDCAuthRequestLifetime)); err != nil {
		return nil, err
	}
	if err := o.s.st.CreateOIDCAuthRequest(ctx, &row); err != nil {
		return nil, err
	}
	return &oidcAuthRequest{row: row, req: *req}, nil
}

func (o *OIDCStorage) authRequest(ctx context.Context, id string, codeHash []byte) (op.AuthRequest, error) {
	row, err := o.s.st.FindOIDCAuthRequest(ctx, id, codeHash)
	if err != nil {
		return nil, err
	}
	if o.s.now().Sub(row.CreatedAt) > OIDCAuthRequestLifetime {
		return nil, models.ErrNotFound
	}
	a := &oidcAuthRequest{row: *row}
	if err := json.Unmarshal([]byte(row.Request), &a.req); err != nil {
		return nil, err
	}
	return a, nil
}

// AuthRequestByID returns a pending authorization request.
func (o *OIDCStorage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	return o.authRequest(ctx, id, nil)
}

// AuthRequestByCode returns the authorization request a code was issued for.
func (o *OIDCStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	return o.authRequest(ctx, "", models.HashToken(code))
}

// SaveAuthCode records the hash of the code issued for a request.
func (o *OIDCStorage) SaveAuthCode(ctx context.Context, id, code string) error {
	row, err := o.s.st.FindOIDCAuthRequest(ctx, id, nil)
	if err != nil {
		return err
	}
	row.CodeHash = models.HashToken(code)
	return o.s.st.UpdateOIDCAuthRequest(ctx, row)
}

// DeleteAuthRequest deletes a request once its code was exchanged.
func (o *OIDCStorage) DeleteAuthRequest(ctx context.Context, id string) error {
	return o.s.st.DeleteOIDCAuthRequest(ctx, id, o.s.now().Add(-OIDCAuthRequestLifetime))
}

// accessTokenID is what an access token carries (encrypted by the library): the client, the
// user and the expiry. Access tokens are not stored; userinfo checks the access rule again.
// The expiry is on the system clock, as the library computes expires_in and ID token times
// with it.
func (o *OIDCStorage) accessTokenID(clientID string) (string, time.Time) {
	exp := time.Now().Add(OIDCAccessTokenLifetime)
	return clientID + "|" + strconv.FormatInt(exp.Unix(), 10), exp
}

func clientIDOf(req op.TokenRequest) string {
	switch r := req.(type) {
	case *oidcAuthRequest:
		return r.GetClientID()
	case *oidcRefreshRequest:
		return r.GetClientID()
	}
	return ""
}

// CreateAccessToken issues an access token (no refresh token).
func (o *OIDCStorage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	id, exp := o.accessTokenID(clientIDOf(req))
	return id, exp, nil
}

// CreateAccessAndRefreshTokens issues an access token and a refresh token; refreshing
// replaces the refresh token used (rotation).
func (o *OIDCStorage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	id, exp := o.accessTokenID(clientIDOf(req))
	raw, hash := models.NewToken()
	t := models.OIDCRefreshToken{ID: randomID(), TokenHash: hash, Scopes: strings.Join(req.GetScopes(), " "), ExpiresAt: o.s.now().Add(OIDCRefreshLifetime)}
	switch r := req.(type) {
	case *oidcAuthRequest:
		if r.row.UserID == nil || r.row.MembershipID == nil {
			return "", "", time.Time{}, errors.New("app: authorization request not done")
		}
		t.ClientID, t.UserID, t.MembershipID, t.AuthTime, t.AMR = r.row.ClientID, *r.row.UserID, *r.row.MembershipID, r.GetAuthTime(), "pwd"
	case *oidcRefreshRequest:
		t.ClientID, t.UserID, t.MembershipID, t.AuthTime, t.AMR = r.t.ClientID, r.t.UserID, r.t.MembershipID, r.t.AuthTime, r.t.AMR
	default:
		return "", "", time.Time{}, fmt.Errorf("app: unexpected token request %T", req)
	}
	err := o.s.st.InTx(ctx, func(ctx context.Context) error {
		if current != "" {
			old, err := o.s.st.FindOIDCRefreshToken(ctx, models.HashToken(current))
			if err != nil {
				return op.ErrInvalidRefreshToken
			}
			if err := o.s.st.DeleteOIDCRefreshTokens(ctx, old.ID, 0, ""); err != nil {
				return err
			}
		}
		return o.s.st.CreateOIDCRefreshToken(ctx, &t)
	})
	if err != nil {
		return "", "", time.Time{}, err
	}
	return id, raw, exp, nil
}

// TokenRequestByRefreshToken reads a refresh token, refused (op.ErrInvalidRefreshToken)
// once expired, or when the member was terminated or lost access to the client's app.
func (o *OIDCStorage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	t, err := o.s.st.FindOIDCRefreshToken(ctx, models.HashToken(token))
	if err != nil {
		return nil, op.ErrInvalidRefreshToken
	}
	if !o.s.now().Before(t.ExpiresAt) {
		return nil, op.ErrInvalidRefreshToken
	}
	if ok, err := o.allowed(ctx, t.ClientID, t.UserID); err != nil || !ok {
		if err == nil {
			// Terminated or access removed: the member's tokens of this client end here.
			err = o.s.st.DeleteOIDCRefreshTokens(ctx, "", t.UserID, t.ClientID)
		}
		return nil, errors.Join(op.ErrInvalidRefreshToken, err)
	}
	return &oidcRefreshRequest{t: *t, scopes: strings.Fields(t.Scopes)}, nil
}

// allowed applies the gate's rule to a client and a user.
func (o *OIDCStorage) allowed(ctx context.Context, clientID string, userID int64) (bool, error) {
	c, err := o.s.st.FindOIDCClient(ctx, clientID)
	if errors.Is(err, models.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, _, ok, err := o.s.mayUse(ctx, c.OrgID, c.AppID, userID)
	return ok, err
}

// TerminateSession ends the user's refresh tokens of the client (end_session).
func (o *OIDCStorage) TerminateSession(ctx context.Context, userID, clientID string) error {
	uid, err := strconv.ParseInt(userID, 10, 64)
	if err != nil {
		return nil
	}
	return o.s.st.DeleteOIDCRefreshTokens(ctx, "", uid, clientID)
}

// GetRefreshTokenInfo names a refresh token's user and id (revocation).
func (o *OIDCStorage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	t, err := o.s.st.FindOIDCRefreshToken(ctx, models.HashToken(token))
	if err != nil || t.ClientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return strconv.FormatInt(t.UserID, 10), t.ID, nil
}

// RevokeToken revokes a refresh token; access tokens are short-lived and not stored.
func (o *OIDCStorage) RevokeToken(ctx context.Context, tokenOrID, _, _ string) *oidc.Error {
	if err := o.s.st.DeleteOIDCRefreshTokens(ctx, tokenOrID, 0, ""); err != nil {
		return oidc.ErrServerError()
	}
	return nil
}

// oidcKey is a signing key as the library sees it.
type oidcKey struct {
	id      string
	key     *rsa.PrivateKey
	retired *time.Time
}

func (k oidcKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k oidcKey) Algorithm() jose.SignatureAlgorithm          { return jose.RS256 }
func (k oidcKey) Use() string                                 { return "sig" }
func (k oidcKey) ID() string                                  { return k.id }

type oidcPublicKey struct{ oidcKey }

func (k oidcPublicKey) Key() any { return &k.key.PublicKey }

type oidcPrivateKey struct{ oidcKey }

func (k oidcPrivateKey) Key() any { return k.key }

// signingKeys returns the keys, generating and storing the first on first use.
func (o *OIDCStorage) signingKeys(ctx context.Context) ([]oidcKey, error) {
	c := &o.s.keys
	c.mu.Lock()
	defer c.mu.Unlock()
	now := o.s.now()
	if len(c.keys) > 0 && now.Sub(c.loaded) < OIDCKeyReload && !now.Before(c.loaded) {
		return c.keys, nil
	}
	rows, err := o.s.st.OIDCKeys(ctx)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		k, err := newOIDCKey()
		if err != nil {
			return nil, err
		}
		if err := o.s.st.CreateOIDCKey(ctx, &k); err != nil {
			return nil, err
		}
		rows = append(rows, k)
	}
	var keys []oidcKey
	for _, r := range rows {
		pk, err := x509.ParsePKCS8PrivateKey(r.PrivateDER)
		if err != nil {
			return nil, fmt.Errorf("app: signing key %s: %w", r.ID, err)
		}
		rk, ok := pk.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("app: signing key %s is not RSA", r.ID)
		}
		keys = append(keys, oidcKey{id: r.ID, key: rk, retired: r.RetiredAt})
	}
	c.keys, c.loaded = keys, now
	return keys, nil
}

// newOIDCKey generates an RS256 signing key (RSA 2048, PKCS#8 DER) with a random id.
func newOIDCKey() (models.OIDCKey, error) {
	pk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return models.OIDCKey{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(pk)
	if err != nil {
		return models.OIDCKey{}, err
	}
	return models.OIDCKey{ID: randomID(), PrivateDER: der}, nil
}

// SigningKey is the newest key not retired.
func (o *OIDCStorage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	keys, err := o.signingKeys(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k.retired == nil {
			return oidcPrivateKey{k}, nil
		}
	}
	return nil, errors.New("app: every signing key is retired")
}

// SignatureAlgorithms is RS256.
func (o *OIDCStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet is the published keys (JWKS): those not retired, and those retired for less than a
// day, so ID tokens they signed still verify.
func (o *OIDCStorage) KeySet(ctx context.Context) ([]op.Key, error) {
	keys, err := o.signingKeys(ctx)
	if err != nil {
		return nil, err
	}
	var out []op.Key
	for _, k := range keys {
		if k.retired == nil || o.s.now().Sub(*k.retired) < OIDCRetiredKeyPublished {
			out = append(out, oidcPublicKey{k})
		}
	}
	return out, nil
}

// GetClientByClientID returns a client.
func (o *OIDCStorage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	c, err := o.s.st.FindOIDCClient(ctx, clientID)
	if err != nil {
		return nil, oidc.ErrInvalidClient().WithDescription("unknown client")
	}
	return oidcClient{c}, nil
}

// AuthorizeClientIDSecret checks a client's secret against its hash.
func (o *OIDCStorage) AuthorizeClientIDSecret(ctx context.Context, clientID, secret string) error {
	c, err := o.s.st.FindOIDCClient(ctx, clientID)
	if err != nil || subtle.ConstantTimeCompare(c.SecretHash, models.HashToken(secret)) != 1 {
		return oidc.ErrInvalidClient().WithDescription("wrong client id or secret")
	}
	return nil
}

// fillUserinfo sets the claims: sub (the user id), email, email_verified, name, groups
// (role keys). A member no longer allowed gets an error.
func (o *OIDCStorage) fillUserinfo(ctx context.Context, info *oidc.UserInfo, subject, clientID string) error {
	uid, err := strconv.ParseInt(subject, 10, 64)
	if err != nil {
		return oidc.ErrAccessDenied()
	}
	c, err := o.s.st.FindOIDCClient(ctx, clientID)
	if err != nil {
		return oidc.ErrAccessDenied()
	}
	m, u, ok, err := o.s.mayUse(ctx, c.OrgID, c.AppID, uid)
	if err != nil {
		return err
	}
	if !ok {
		return oidc.ErrAccessDenied().WithDescription("no access to this app")
	}
	info.Subject = subject
	info.Email = u.Email
	info.EmailVerified = oidc.Bool(true) // an invitation or a sign-up proved the address
	info.Name = models.DisplayName(m.FirstName, m.LastName, u.Email)
	info.GivenName, info.FamilyName = m.FirstName, m.LastName
	groups := make([]string, len(m.Roles))
	for i, r := range m.Roles {
		groups[i] = string(r)
	}
	info.AppendClaims("groups", groups)
	return nil
}

// SetUserinfoFromScopes fills the ID token's claims.
func (o *OIDCStorage) SetUserinfoFromScopes(ctx context.Context, info *oidc.UserInfo, userID, clientID string, _ []string) error {
	return o.fillUserinfo(ctx, info, userID, clientID)
}

// SetUserinfoFromToken answers userinfo for an access token still valid.
func (o *OIDCStorage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	clientID, expS, ok := strings.Cut(tokenID, "|")
	exp, err := strconv.ParseInt(expS, 10, 64)
	if !ok || err != nil || !time.Now().Before(time.Unix(exp, 0)) {
		return oidc.ErrAccessDenied().WithDescription("access token expired")
	}
	return o.fillUserinfo(ctx, info, subject, clientID)
}

// SetIntrospectionFromToken answers introspection for an access token still valid.
func (o *OIDCStorage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	var info oidc.UserInfo
	if err := o.SetUserinfoFromToken(ctx, &info, tokenID, subject, ""); err != nil {
		return err
	}
	resp.Active = true
	resp.Subject = subject
	resp.ClientID = clientID
	resp.SetUserInfo(&info)
	return nil
}

// GetPrivateClaimsFromScopes adds nothing to access tokens (they are opaque).
func (o *OIDCStorage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetKeyByIDAndClientID: the JWT profile grant is not offered.
func (o *OIDCStorage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("app: JWT profile not supported")
}

// ValidateJWTProfileScopes: the JWT profile grant is not offered.
func (o *OIDCStorage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("app: JWT profile not supported")
}

// Health checks the database.
func (o *OIDCStorage) Health(ctx context.Context) error { return o.s.Healthy(ctx) }
