package handlers_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/color"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	cdptarget "github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"gatehouse/models"
)

// TestBrowserMFA follows two invited people through two-factor authentication in an
// organization that requires it: one enrolls a phone for text messages, the other an
// authenticator app; each gets recovery codes. Then they log in with the second step, one
// with a recovery code, and a forgotten password is reset without skipping the second step.
func TestBrowserMFA(t *testing.T) {
	browser := newBrowser(t) // first, so a missing browser skips before anything starts
	app := newTestApp(t)
	mb := app.startMail() // before inviting: the handlers poke the worker on every enqueue
	owner := app.createOwner("olive@example.com")
	began := time.Now()
	defer func() { t.Logf("browser flow took %s", time.Since(began).Round(time.Millisecond)) }()

	const (
		sam         = "sam@example.com"  // texts: enrolls a phone
		tara        = "tara@example.com" // enrolls an authenticator app
		phone       = "+447911123456"
		password    = "violet tractor hums at dawn"
		newPassword = "amber kettle sings at noon"
	)

	// 1. The Owner invites both. Her own enrollment is not this test's subject: the
	// organization starts requiring two-factor authentication once the invitations are out.
	oc := app.newClient()
	oc.login("olive@example.com", testPassword)
	oc.get("/users/invite")
	sent := oc.post("/users/invite", url.Values{"emails": {sam + "\n" + tara}, "roles": {"editor"}})
	if n := strings.Count(sent.Doc.Find(".outcomes").Text(), "Invitation sent"); sent.StatusCode != 200 || n != 2 {
		t.Fatalf("inviting both: status %d, outcomes %q", sent.StatusCode, strings.Join(strings.Fields(sent.Doc.Find(".outcomes").Text()), " "))
	}
	app.setMFAPolicy(owner, models.MFARequired)

	// 2. Sam signs up from his emailed link, is made to set up a second factor before anything
	// else, and chooses text messages.
	samTab := newPerson(t, browser, "sam")
	signUpToMFASetup(t, samTab, mb.waitFor(sam, 1).inviteLink(t), "Sam", "Smith", password)
	step(t, samTab, "open Users before enrolling", chromedp.Navigate(app.Server.URL+"/users"))
	waitPage(t, samTab, "Set up two-factor authentication")
	shoot(t, samTab, "setup-choice")
	clickToPage(t, samTab, mfaChoice("Text message (SMS)"), "Set up two-factor authentication")
	shoot(t, samTab, "sms-phone")
	fill(t, samTab, [2]string{"Phone number", phone})
	clickToPage(t, samTab, button("Send code"), "Set up two-factor authentication")
	shoot(t, samTab, "sms-code")
	if lede := run(t, samTab, "read the lede", chromedp.Text(chromedp.CSS(".lede"))); !strings.Contains(lede, "3456") {
		t.Errorf("after Send code the page says %q; want it to name the phone by its last digits", lede)
	}
	fill(t, samTab, [2]string{"Verification code", smsCode(t, mb.waitSMS(phone, 1))})
	clickToPage(t, samTab, button("Verify"), "Recovery codes")
	shoot(t, samTab, "recovery-codes")
	samCodes := recoveryCodes(t, samTab)
	clickToPage(t, samTab, linkText("Continue"), "Welcome, Sam")

	// 3. Sam logs out through the account menu.
	logOut(t, samTab)

	// 4. Tara enrolls an authenticator app: she reads the key shown beside the QR code into
	// her app, which then shows the codes.
	taraTab := newPerson(t, browser, "tara")
	signUpToMFASetup(t, taraTab, mb.waitFor(tara, 1).inviteLink(t), "Tara", "Tan", password)
	clickToPage(t, taraTab, mfaChoice("Authenticator app"), "Set up two-factor authentication")
	waitQRCode(t, taraTab)
	shoot(t, taraTab, "authenticator")
	key := strings.Join(strings.Fields(run(t, taraTab, "read the key", chromedp.Text(chromedp.CSS("#totp-key")))), "")
	assertQRCodeHolds(t, taraTab, models.TOTPURL("Gatehouse (Acme)", tara, key))
	enrolled := totpCode(t, key, app.Clock.Now())
	fill(t, taraTab, [2]string{"Verification code", enrolled})
	clickToPage(t, taraTab, button("Verify"), "Recovery codes")
	recoveryCodes(t, taraTab)
	clickToPage(t, taraTab, linkText("Continue"), "Welcome, Tara")
	logOut(t, taraTab)

	// She logs in again: the password, then a code from the app. The code she enrolled
	// with is spent; half a minute later the app shows the next one.
	fill(t, taraTab, [2]string{"Email", tara}, [2]string{"Password", password})
	clickToPage(t, taraTab, button("Log in"), "Verify it's you")
	fill(t, taraTab, [2]string{"Verification code", enrolled})
	clickToPage(t, taraTab, button("Verify"), "Verify it's you")
	assertFormError(t, taraTab, "That code isn't right")
	shoot(t, taraTab, "totp-replayed")
	app.Clock.Advance(30 * time.Second)
	fill(t, taraTab, [2]string{"Verification code", totpCode(t, key, app.Clock.Now())})
	clickToPage(t, taraTab, button("Verify"), "Welcome, Tara")

	// 5. Sam logs in with a recovery code instead of a text message.
	fill(t, samTab, [2]string{"Email", sam}, [2]string{"Password", password})
	clickToPage(t, samTab, button("Log in"), "Verify it's you")
	shoot(t, samTab, "verify-sms")
	clickToPage(t, samTab, linkText("Use a recovery code"), "Verify it's you")
	shoot(t, samTab, "verify-recovery")
	fill(t, samTab, [2]string{"Recovery code", samCodes[3]})
	clickToPage(t, samTab, button("Verify"), "Welcome, Sam")
	shoot(t, samTab, "home-after-recovery")
	assertFlash(t, samTab, "You have 9 left.")

	// 6. Sam forgets his password. The reset link arrives by email; the new password works,
	// and the second step is still asked for. The recovery code he used is spent.
	logOut(t, samTab)
	clickToPage(t, samTab, linkText("Forgot password?"), "Forgot password?")
	fill(t, samTab, [2]string{"Email", sam})
	clickToPage(t, samTab, button("Send reset link"), "Check your email")
	step(t, samTab, "open the reset link", chromedp.Navigate(mb.waitFor(sam, 2).resetLink(t)))
	waitPage(t, samTab, "Set a new password")
	fill(t, samTab, [2]string{"New password", newPassword}, [2]string{"Confirm password", newPassword})
	clickToPage(t, samTab, button("Set password"), "Log in")
	assertFlash(t, samTab, "Your password has been changed.")
	fill(t, samTab, [2]string{"Email", sam}, [2]string{"Password", newPassword})
	clickToPage(t, samTab, button("Log in"), "Verify it's you")
	clickToPage(t, samTab, linkText("Use a recovery code"), "Verify it's you")
	fill(t, samTab, [2]string{"Recovery code", samCodes[3]})
	clickToPage(t, samTab, button("Verify"), "Verify it's you")
	assertFormError(t, samTab, "That recovery code isn't right or was already used.")
	clickToPage(t, samTab, linkText("Text a code to "+models.MaskPhone(phone)), "Verify it's you")
	clickToPage(t, samTab, button("Send code"), "Verify it's you")
	shoot(t, samTab, "verify-sms-sent")
	fill(t, samTab, [2]string{"Verification code", smsCode(t, mb.waitSMS(phone, 2))})
	clickToPage(t, samTab, button("Verify"), "Welcome, Sam")

	assertCleanConsole(t, samTab)
	assertCleanConsole(t, taraTab)
}

// signUpToMFASetup opens an invitation link, creates the account and checks that the new
// member is sent straight to setting up two-factor authentication, with no way to put it off.
func signUpToMFASetup(t *testing.T, ctx context.Context, link, first, last, password string) {
	t.Helper()
	step(t, ctx, "open "+first+"'s invitation link", chromedp.Navigate(link))
	waitPage(t, ctx, "Create your account")
	fill(t, ctx,
		[2]string{"First name", first},
		[2]string{"Last name", last},
		[2]string{"Password", password},
		[2]string{"Confirm password", password},
	)
	clickToPage(t, ctx, button("Create account"), "Set up two-factor authentication")
	if u := location(t, ctx); u.Path != "/mfa/setup" {
		t.Errorf("after signing up %s is at %s, want /mfa/setup", first, u)
	}
	if lede := run(t, ctx, "read the lede", chromedp.Text(chromedp.CSS(".lede"))); !strings.Contains(lede, "Acme asks every member") {
		t.Errorf("the setup page says %q; want it to say the organization requires a second step", lede)
	}
	if run(t, ctx, "look for Not now", chromedp.Evaluate[bool](`Array.from(document.querySelectorAll("a")).some(a => a.textContent.trim() === "Not now")`)) {
		t.Errorf("the setup page offers %q although the organization requires two-factor authentication", "Not now")
	}
}

// mfaChoice selects a choice of the "Set up two-factor authentication" page by its title.
func mfaChoice(title string) chromedp.Search {
	return chromedp.Search(`//a[contains(concat(" ", @class, " "), " choice ")][normalize-space(.//strong)=` + xpathText(title) + `]`)
}

// linkText selects a link by its visible text.
func linkText(text string) chromedp.Search {
	return chromedp.Search(`//a[normalize-space()=` + xpathText(text) + `]`)
}

// logOut logs out through the account menu and waits for the login page.
func logOut(t *testing.T, ctx context.Context) {
	t.Helper()
	step(t, ctx, "open the account menu", chromedp.Click(chromedp.CSS(`details.account-menu > summary`)))
	out := button("Log out")
	step(t, ctx, "see Log out", chromedp.WaitVisible(out))
	clickToPage(t, ctx, out, "Log in")
	assertFlash(t, ctx, "You have been logged out.")
}

// totpCode is what an authenticator app holding key shows at now.
func totpCode(t *testing.T, key string, now time.Time) string {
	t.Helper()
	code, err := totp.GenerateCode(key, now)
	if err != nil {
		t.Fatalf("the key %q shown on the page is not a TOTP key: %v", key, err)
	}
	return code
}

// waitQRCode waits until the QR code image has loaded and has pixels.
func waitQRCode(t *testing.T, ctx context.Context) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.PollFunction[bool](`function () {
		const img = document.querySelector(".qr img");
		return !!img && img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().width > 0;
	}`, chromedp.WithPollingTimeout(pollTimeout)))
	if err != nil {
		t.Fatalf("the QR code image was not rendered: %v", err)
	}
}

// assertQRCodeHolds checks that the page's QR code is the one for want, an otpauth:// URL,
// by drawing that QR code the way the server does and comparing the pixels.
func assertQRCodeHolds(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	src := run(t, ctx, "read the QR code", chromedp.Evaluate[string](`document.querySelector(".qr img").getAttribute("src")`))
	b64, ok := strings.CutPrefix(src, "data:image/png;base64,")
	raw, err := base64.StdEncoding.DecodeString(b64)
	if !ok || err != nil {
		t.Fatalf("the QR code's src %.40q… is not a base64 PNG: %v", src, err)
	}
	got, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the QR code is not a PNG: %v", err)
	}
	key, err := otp.NewKeyFromURL(want)
	if err != nil {
		t.Fatal(err)
	}
	wantImg, err := key.Image(got.Bounds().Dx(), got.Bounds().Dy())
	if err != nil {
		t.Fatal(err)
	}
	for y := range got.Bounds().Dy() {
		for x := range got.Bounds().Dx() {
			g := color.GrayModel.Convert(got.At(got.Bounds().Min.X+x, got.Bounds().Min.Y+y)).(color.Gray)
			w := color.GrayModel.Convert(wantImg.At(wantImg.Bounds().Min.X+x, wantImg.Bounds().Min.Y+y)).(color.Gray)
			if g != w {
				t.Fatalf("the QR code differs from the one for %s at (%d, %d): it does not hold the key shown as text", want, x, y)
			}
		}
	}
}

var recoveryCodeRe = regexp.MustCompile(`^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{2}$`)

// recoveryCodes reads the recovery codes shown once after enrolling, checks that there are
// ten distinct ones and that Download saves the same ten to a file, and returns them.
func recoveryCodes(t *testing.T, ctx context.Context) []string {
	t.Helper()
	type shown struct {
		Codes    []string `json:"codes"`
		FileName string   `json:"fileName"` // the Download link's download attribute
		Continue bool     `json:"continue"`
	}
	s := run(t, ctx, "read the recovery codes", chromedp.Evaluate[shown](`(function () {
		const links = Array.from(document.querySelectorAll("a"));
		const dl = links.find(a => a.textContent.trim() === "Download");
		return {codes: Array.from(document.querySelectorAll("ol.codes li")).map(li => li.textContent.trim()),
			fileName: dl ? (dl.getAttribute("download") || "") : "",
			continue: links.some(a => a.textContent.trim() === "Continue")};
	})()`))
	if len(s.Codes) != models.RecoveryCodeCount {
		t.Fatalf("the page shows %d recovery codes %q, want %d", len(s.Codes), s.Codes, models.RecoveryCodeCount)
	}
	for i, c := range s.Codes {
		if !recoveryCodeRe.MatchString(c) || slices.Index(s.Codes, c) != i {
			t.Errorf("recovery code %q is malformed or repeated among %q", c, s.Codes)
		}
	}
	if !strings.HasSuffix(s.FileName, ".txt") {
		t.Errorf("the Download link saves to %q, want a .txt file name", s.FileName)
	}
	if file := download(t, ctx, linkText("Download")); !strings.Contains(file, strings.Join(s.Codes, "\n")+"\n") {
		t.Errorf("the downloaded file holds %q, want the ten codes shown, one a line", file)
	}
	if !s.Continue {
		t.Errorf("the recovery codes page has no Continue link")
	}
	return s.Codes
}

// assertFormError checks the message shown above a form that was refused.
func assertFormError(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	got := run(t, ctx, "read the form error", chromedp.Evaluate[string](
		`Array.from(document.querySelectorAll(".form-error, .field-error")).map(e => e.textContent.trim()).join(" | ")`))
	if !strings.Contains(got, want) {
		t.Errorf("the page shows the error %q, want %q", got, want)
	}
}

// download clicks what sel finds and returns the file the browser saved.
func download[S chromedp.Selectable](t *testing.T, ctx context.Context, sel S) string {
	t.Helper()
	dir := t.TempDir()
	dctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()
	progress := chromedp.Events(dctx, cdpbrowser.DownloadProgress)
	err := chromedp.Do(dctx,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			// The person's tab lives in its own browser context, which has its own download rules.
			info, err := chromedp.Call(ctx, cdptarget.GetTargetInfo, cdptarget.GetTargetInfoParams{})
			if err != nil {
				return err
			}
			_, err = chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, BrowserContextID: info.TargetInfo.BrowserContextID,
				DownloadPath: dir, EventsEnabled: new(true)})
			return err
		}),
		chromedp.Click(sel),
	)
	if err != nil {
		t.Fatalf("clicking %v to download: %v", sel, err)
	}
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("waiting for the download: %v", err)
		}
		switch ev.State {
		case cdpbrowser.DownloadProgressStateCompleted:
			b, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		case cdpbrowser.DownloadProgressStateCanceled:
			t.Fatalf("the browser cancelled the download")
		}
	}
	t.Fatal("the download never completed")
	return ""
}
