package handlers

import (
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"gatehouse/app"
	"gatehouse/models"
	"gatehouse/static"
)

// Echo builds the HTTP server: middleware, error handler and every route.
func (h *Handler) Echo() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = h.ErrorHandler
	e.IPExtractor = clientIP(h.cfg.TrustedProxies)
	// Recover runs inside the request log, so a panic is logged with the 500 it became.
	e.Use(h.requestLog(), middleware.Recover(), securityHeaders, bodyLimits(), h.csrf, h.loadSession)
	h.routes(e)
	return e
}

// bodyLimits bounds request bodies at 1 MB, and the import upload and its confirmation at
// theirs. It runs before the CSRF check, which reads the form, so it is chosen by route here
// rather than on the routes (route middleware runs after the CSRF check).
func bodyLimits() echo.MiddlewareFunc {
	def, upload, confirm := middleware.BodyLimit("1M"), middleware.BodyLimit(importBodyLimit), middleware.BodyLimit(confirmBodyLimit)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		d, u, cf := def(next), upload(next), confirm(next)
		return func(c echo.Context) error {
			switch c.Path() {
			case "/users/import/preview":
				return u(c)
			case "/users/import/confirm":
				return cf(c)
			}
			return d(c)
		}
	}
}

// clientIP is how a request's client address is found: the connection's peer, unless that
// peer is one of the trusted proxies, and then the rightmost address in X-Forwarded-For that
// is not a trusted proxy (the leftmost ones are whatever the client wrote). Without trusted
// proxies X-Forwarded-For is ignored: it would let any client pick its own address and dodge
// the login backoff. Loopback and private networks are trusted only when listed.
func clientIP(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// routes registers every route, grouped by what a visitor needs to reach it: this is the
// access matrix in one place.
func (h *Handler) routes(e *echo.Echo) {
	// Anyone.
	e.GET("/healthz", h.Healthz)
	// The reverse proxies in front of the organization's apps (forward_auth.go): no session
	// middleware, no CSRF (GET only), no cookie written.
	e.GET("/api/authz/forward-auth", h.ForwardAuth)
	e.GET("/api/authz/auth-request", h.AuthRequest)
	e.GET("/static/*", echo.WrapHandler(staticHandler()))
	e.GET("/setup", h.SetupForm, noReferrer)
	e.POST("/setup", h.Setup, noReferrer)
	e.GET("/login", h.LoginForm)
	e.POST("/login", h.Login)
	e.GET("/login/continue", h.LoginContinue)
	e.GET("/forgot-password", h.ForgotPasswordForm)
	e.POST("/forgot-password", h.ForgotPassword)
	// Reset links carry their token in the path too.
	e.GET("/reset-password/:token", h.ResetPasswordForm, noReferrer)
	e.POST("/reset-password/:token", h.ResetPassword, noReferrer)
	e.POST("/logout", h.Logout)
	// Invitation links carry their token in the path: never let it leak through Referer.
	e.GET("/invite/:token", h.SignupForm, noReferrer)
	e.POST("/invite/:token", h.Signup, noReferrer)
	// The public invitation (join.go): the link carries its token in the path too.
	e.GET("/join", h.JoinCodeForm)
	e.POST("/join", h.JoinCode)
	e.GET("/join/:token", h.JoinLinkPage, noReferrer)
	e.POST("/join/signup", h.JoinSignup, noReferrer)
	e.POST("/join/login", h.JoinLogin, noReferrer)

	// The second login step, between the password and the session.
	e.GET("/login/verify", h.VerifyForm)
	e.POST("/login/verify", h.Verify)
	e.POST("/login/verify/send", h.SendLoginCode)

	// The OpenID Connect provider (oidc.go); its token, introspection and revocation endpoints
	// are posted to by clients: no session, no CSRF token (skipsSession).
	h.mountOIDC(e)
	e.GET(app.OIDCLoginPath, h.OIDCLogin, h.requireLogin)

	// Anyone logged in: setting up a second factor (the one thing a member who must enroll may do).
	enrolling := group{e, []echo.MiddlewareFunc{h.requireLogin}}
	enrolling.GET("/mfa/setup", h.SetupChoice)
	enrolling.GET("/mfa/setup/app", h.TOTPSetupForm)
	enrolling.POST("/mfa/setup/app", h.TOTPSetup)
	enrolling.GET("/mfa/setup/sms", h.SMSSetupForm)
	enrolling.POST("/mfa/setup/sms", h.SMSSetup)
	enrolling.POST("/mfa/setup/sms/resend", h.SMSResend)
	enrolling.POST("/mfa/setup/sms/verify", h.SMSVerify)
	enrolling.POST("/account/mfa/:id/remove", h.RemoveFactor)
	enrolling.POST("/account/recovery-codes", h.RegenerateRecoveryCodes)

	// Anyone logged in, with or without a current organization (orgs.go): the switcher,
	// Create organization, and the invitations waiting for their account.
	account := group{e, []echo.MiddlewareFunc{h.requireAccount}}
	account.GET(noOrgPath, h.NoOrganization)
	account.GET("/organizations/new", h.NewOrganizationForm)
	account.POST("/organizations", h.CreateOrganization)
	account.POST("/organizations/switch", h.SwitchOrganization)
	account.GET("/notifications", h.Notifications)
	account.GET("/notifications/:id", h.JoinPrompt)
	account.POST("/notifications/:id/join", h.JoinInvitation)
	account.POST("/notifications/:id/decline", h.DeclineInvitation)

	// Members: every role can view data, which includes the Users page.
	member := group{e, []echo.MiddlewareFunc{h.requireLogin, h.require(models.PermViewData)}}
	member.GET("/", h.Home, nav("home"))
	member.GET("/users", h.UsersList, nav("users"))
	// Anyone may open the invite dialog: those who may not invite are told whom to ask.
	member.GET("/users/invite", h.InviteForm, nav("users"))
	// Sending them too: the organization's "Who may invite" rule is checked by the use case.
	member.POST("/users/invite", h.Invite, nav("users"))
	member.GET("/users/invite/people", h.InvitePeople, nav("users"))
	member.GET("/users/:id", h.MemberPage, nav("users"))
	// Bulk actions: each needs its own permission, checked for the action chosen (bulkOptions).
	member.POST("/users/bulk", h.BulkAction, nav("users"))
	// Everyone's own account: profile, password and sessions touch only the member's own records.
	member.GET("/account", h.Account, nav("account"))
	member.POST("/account/profile", h.SaveProfile, nav("account"))
	member.POST("/account/password", h.ChangePassword, nav("account"))
	member.POST("/account/sessions/end-others", h.EndOtherSessions, nav("account"))
	member.POST("/account/sessions/:id/end", h.EndSession, nav("account"))
	member.GET("/account/leave", h.LeaveOrganizationForm, nav("account"))
	member.POST("/account/leave", h.LeaveOrganization, nav("account"))

	// Owners and Admins: invitations.
	inviter := group{e, []echo.MiddlewareFunc{h.requireLogin, h.require(models.PermInviteMembers), nav("users")}}
	inviter.GET("/users/import", h.ImportForm)
	inviter.GET("/users/import/template.:format", h.ImportTemplate)
	inviter.POST("/users/import/preview", h.ImportPreview) // bodyLimits: importBodyLimit
	inviter.POST("/users/import/confirm", h.ImportConfirm) // bodyLimits: confirmBodyLimit
	inviter.GET("/users/import/:id", h.ImportStatus)
	inviter.GET("/users/import/:id/result.csv", h.ImportResult)
	for _, act := range []models.MemberAction{models.ActReinvite, models.ActCopyLink, models.ActRevoke} {
		inviter.GET("/users/:id/"+actionSlugs[act], h.ConfirmAction(act))
		inviter.POST("/users/:id/"+actionSlugs[act], h.DoAction(act))
	}

	// Owners and Admins: managing members.
	manager := group{e, []echo.MiddlewareFunc{h.requireLogin, h.require(models.PermManageMembers), nav("users")}}
	manager.GET("/users/export.:format", h.ExportMembers)
	depts := group{e, []echo.MiddlewareFunc{h.requireLogin, h.require(models.PermManageMembers), nav("departments")}}
	depts.GET("/departments", h.Departments)
	depts.POST("/departments", h.CreateDepartment)
	depts.GET("/departments/:id/rename", h.RenameDepartmentForm)
	depts.POST("/departments/:id/rename", h.RenameDepartment)
	depts.GET("/departments/:id/delete", h.DeleteDepartmentForm)
	depts.POST("/departments/:id/delete", h.DeleteDepartment)
	manager.GET("/users/:id/roles", h.EditRolesForm)
	manager.POST("/users/:id/roles", h.EditRoles)
	manager.GET("/users/:id/reset-mfa", h.ResetMFAForm)
	manager.POST("/users/:id/reset-mfa", h.ResetMFA)
	manager.GET("/users/:id/details", h.EditDetailsForm)
	manager.POST("/users/:id/details", h.EditDetails)
	manager.GET("/users/:id/access", h.EditAccessForm)
	manager.POST("/users/:id/access", h.EditAccess)
	for _, act := range []models.MemberAction{models.ActTerminate, models.ActRestore} {
		manager.GET("/users/:id/"+actionSlugs[act], h.ConfirmAction(act))
		manager.POST("/users/:id/"+actionSlugs[act], h.DoAction(act))
	}
	// The Pending tab's requests (pending.go): Approve with roles, Reject with a reason.
	for _, act := range []models.MemberAction{models.ActApprove, models.ActReapprove} {
		manager.GET("/users/:id/"+actionSlugs[act], h.ApproveForm(act))
		manager.POST("/users/:id/"+actionSlugs[act], h.Approve(act))
	}
	manager.GET("/users/:id/"+actionSlugs[models.ActReject], h.RejectForm)
	manager.POST("/users/:id/"+actionSlugs[models.ActReject], h.Reject)

	// Owners and Admins: organization settings.
	orgAdmin := group{e, []echo.MiddlewareFunc{h.requireLogin, h.require(models.PermManageOrg)}}
	orgAdmin.GET("/settings", h.Settings, nav("settings"))
	orgAdmin.POST("/settings", h.SaveSettings, nav("settings"))
	orgAdmin.POST("/settings/rules", h.SaveRules, nav("settings"))
	orgAdmin.POST("/settings/join", h.SaveJoinLink, nav("settings"))
	orgAdmin.GET("/settings/join/qr.:format", h.JoinQR, noReferrer)
	// Owners and Admins: the organization's apps, guarded by the forward-auth endpoints.
	orgAdmin.GET("/apps", h.Apps, nav("apps"))
	orgAdmin.GET("/apps/new", h.NewAppForm, nav("apps"))
	orgAdmin.POST("/apps", h.AddApp, nav("apps"))
	orgAdmin.GET("/apps/:id", h.EditAppForm, nav("apps"))
	orgAdmin.POST("/apps/:id", h.UpdateApp, nav("apps"))
	orgAdmin.POST("/apps/:id/roles", h.SaveAppRoles, nav("apps"))
	orgAdmin.POST("/apps/:id/oidc-clients", h.AddOIDCClient, nav("apps"))
	orgAdmin.POST("/apps/:id/oidc-clients/:cid/remove", h.RemoveOIDCClient, nav("apps"))
	for _, action := range []string{"enable", "disable", "delete"} {
		orgAdmin.GET("/apps/:id/"+action, h.ConfirmApp(action), nav("apps"))
		orgAdmin.POST("/apps/:id/"+action, h.DoApp(action), nav("apps"))
	}

	// Owners and Admins: the audit log.
	audit := group{e, []echo.MiddlewareFunc{h.requireLogin, h.require(models.PermViewAudit)}}
	audit.GET("/audit", h.AuditList, nav("audit"))

	// Owners: the outbox, whose messages hold live invitation links.
	owner := group{e, []echo.MiddlewareFunc{h.requireLogin, h.require(models.PermManageOwners), nav("outbox")}}
	owner.GET("/outbox", h.Outbox)
	owner.GET("/outbox/:id", h.OutboxMessage)
	owner.POST("/outbox/:id/retry", h.RetryOutboxMessage)
	// Owners: deleting the organization (orgs.go).
	orgOwner := group{e, []echo.MiddlewareFunc{h.requireLogin, h.require(models.PermManageOwners), nav("settings")}}
	orgOwner.GET("/settings/delete", h.DeleteOrganizationForm)
	orgOwner.POST("/settings/delete", h.DeleteOrganization)
	// Owners: the OpenID Connect signing key, shared by every organization.
	keys := group{e, []echo.MiddlewareFunc{h.requireLogin, h.require(models.PermManageOwners), nav("apps")}}
	keys.GET(rotateKeyPath, h.ConfirmRotateKey)
	keys.POST(rotateKeyPath, h.RotateKey)

	// Only in a binary built with -tags bench: the benchmark's reference (handlers/bench_hello.go).
	if benchRoutes != nil {
		benchRoutes(e)
	}
}

// benchRoutes registers the benchmark's reference endpoint; nil unless built with -tags bench.
var benchRoutes func(e *echo.Echo)

// group is routes that share middleware. echo's own Group is not used: its middleware also
// claims every unknown path, so a mistyped address sent visitors to log in and answered a
// Viewer with 403 (and an audit event) from whichever group was registered last.
type group struct {
	e  *echo.Echo
	mw []echo.MiddlewareFunc
}

func (g group) GET(path string, fn echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	g.e.GET(path, fn, slices.Concat(g.mw, mw)...)
}

func (g group) POST(path string, fn echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	g.e.POST(path, fn, slices.Concat(g.mw, mw)...)
}

// staticHandler serves the embedded files; URLs carry a content hash, so they may be cached for good.
func staticHandler() http.Handler {
	files := http.StripPrefix("/static/", http.FileServerFS(static.FS))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		files.ServeHTTP(w, r)
	})
}
