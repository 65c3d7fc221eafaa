package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/zitadel/oidc/v3/pkg/op"

	"gatehouse/models"
	"gatehouse/views"
)

// The OpenID Connect provider's endpoints, under the issuer (--base-url). Discovery is at
// /.well-known/openid-configuration.
const (
	oidcAuthorize  = "/oidc/authorize"
	oidcToken      = "/oidc/token"
	oidcIntrospect = "/oidc/introspect"
	oidcUserinfo   = "/oidc/userinfo"
	oidcRevoke     = "/oidc/revoke"
	oidcEndSession = "/oidc/end_session"
	oidcKeys       = "/oidc/keys"
)

// oidcClientPaths are the endpoints clients post to (not browsers): no session, no CSRF token.
var oidcClientPaths = map[string]bool{oidcToken: true, oidcIntrospect: true, oidcRevoke: true}

// oidcProvider builds the provider (github.com/zitadel/oidc/v3's op) on Gatehouse's storage:
// authorization code with PKCE S256, refresh tokens, RS256 ID tokens, opaque access tokens
// encrypted with a key derived from --secret.
func (h *Handler) oidcProvider() (*op.Provider, error) {
	issuer := strings.TrimSuffix(h.cfg.BaseURL.String(), "/")
	cfg := &op.Config{
		CodeMethodS256:        true,
		AuthMethodPost:        true,
		GrantTypeRefreshToken: true,
		SupportedScopes:       []string{"openid", "email", "profile", "groups", "offline_access"},
		SupportedClaims:       []string{"sub", "aud", "exp", "iat", "iss", "auth_time", "nonce", "email", "email_verified", "name", "given_name", "family_name", "groups"},
	}
	copy(cfg.CryptoKey[:], derive(h.cfg.Secret, "oidc-access-tokens"))
	opts := []op.Option{
		op.WithCustomAuthEndpoint(op.NewEndpoint(strings.TrimPrefix(oidcAuthorize, "/"))),
		op.WithCustomTokenEndpoint(op.NewEndpoint(strings.TrimPrefix(oidcToken, "/"))),
		op.WithCustomIntrospectionEndpoint(op.NewEndpoint(strings.TrimPrefix(oidcIntrospect, "/"))),
		op.WithCustomUserinfoEndpoint(op.NewEndpoint(strings.TrimPrefix(oidcUserinfo, "/"))),
		op.WithCustomRevocationEndpoint(op.NewEndpoint(strings.TrimPrefix(oidcRevoke, "/"))),
		op.WithCustomEndSessionEndpoint(op.NewEndpoint(strings.TrimPrefix(oidcEndSession, "/"))),
		op.WithCustomKeysEndpoint(op.NewEndpoint(strings.TrimPrefix(oidcKeys, "/"))),
		op.WithLogger(h.log),
	}
	if h.cfg.BaseURL.Scheme == "http" {
		opts = append(opts, op.WithAllowInsecure())
	}
	return op.NewProvider(cfg, h.app.OIDCStorage(), op.StaticIssuer(issuer), opts...)
}

// mountOIDC routes the provider's endpoints to it.
func (h *Handler) mountOIDC(e *echo.Echo) {
	p, err := h.oidcProvider()
	if err != nil {
		panic("handlers: the OpenID Connect provider: " + err.Error())
	}
	wrap := echo.WrapHandler(p)
	for _, path := range []string{"/.well-known/openid-configuration", oidcAuthorize, oidcAuthorize + "/callback",
		oidcToken, oidcIntrospect, oidcUserinfo, oidcRevoke, oidcEndSession, oidcKeys} {
		e.Match([]string{http.MethodGet, http.MethodPost, http.MethodOptions}, path, wrap)
	}
}

// OIDCLogin is where the provider sends a person for an authorization request, once logged
// in to Gatehouse (requireLogin sends them through /login first, MFA included): a member of
// the client's organization with access to its app goes on to the provider's callback, which
// issues the code; anyone else sees an error page and no code is issued.
func (h *Handler) OIDCLogin(c echo.Context) error {
	id := c.QueryParam("id")
	name, err := h.app.OIDCAuthorize(c.Request().Context(), current(c), id)
	switch {
	case errors.Is(err, models.ErrForbidden):
		return pageError(http.StatusForbidden, "No access to this app",
			"Your account may not use the app that asked you to sign in. Ask an Owner or Admin of your organization for access.")
	case errors.Is(err, models.ErrNotFound):
		return pageError(http.StatusNotFound, "Sign-in expired",
			"This sign-in request has expired or was already used. Go back to the app and sign in again.")
	case err != nil:
		return err
	}
	// Right after the login form, a redirect on to the app's origin would break the login
	// pages' CSP (form-action 'self' covers a form's redirects): the continue page instead,
	// an instant refresh to the callback, which then redirects to the app.
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.render(c, http.StatusOK, views.ContinuePage(oidcAuthorize+"/callback?id="+url.QueryEscape(id), name))
}
