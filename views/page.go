// Package views holds Gatehouse's templ components. Components take view models built by
// handlers and never touch the database.
package views

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/a-h/templ"

	"gatehouse/models"
	"gatehouse/static"
)

// Page is what every page's layout needs: who is looking, the CSRF token and flash messages.
type Page struct {
	CSRF    string
	Current *models.Current // nil when nobody is logged in
	Flashes []Flash
	Nav     string // key of the highlighted navigation item
	Modal   bool   // render dialogs as a <dialog> fragment for htmx, not as a page
	Back    string // a dialog's way back: the Users page (tab, page, search) or member page it was opened from
	// Orgs are the organizations the person may switch to, and Notifications the count of
	// invitations waiting for them (the bell): the signed-in shell's top bar.
	Orgs          []models.Organization
	Notifications int
}

// backOr is where a dialog returns: the page it was opened from when known, else fallback.
func backOr(ctx context.Context, fallback string) string {
	if b := PageFrom(ctx).Back; b != "" {
		return b
	}
	return fallback
}

type pageKey struct{}

// WithPage returns ctx carrying p for the components rendered with it.
func WithPage(ctx context.Context, p *Page) context.Context {
	return context.WithValue(ctx, pageKey{}, p)
}

// PageFrom returns the Page in ctx, or an empty one.
func PageFrom(ctx context.Context) *Page {
	if p, ok := ctx.Value(pageKey{}).(*Page); ok {
		return p
	}
	return &Page{}
}

// Flash is a one-time message; Warn marks bad news, shown as a warning.
type Flash struct {
	Text string
	Warn bool
}

// Field is one labelled form input with its value and error message.
type Field struct {
	Name         string
	Label        string
	Type         string // "text" when empty
	Value        string
	Error        string
	Hint         string
	Autocomplete string
	Required     bool
	Autofocus    bool
	ReadOnly     bool
	MaxLength    int
}

func (f Field) inputType() string {
	if f.Type == "" {
		return "text"
	}
	return f.Type
}

func (f Field) id() string { return "f-" + f.Name }

func asset(name string) string { return static.URL(name) }

// badgeClass is the class of a badge of kind, without building the string for the usual kinds.
func badgeClass(kind string) string {
	switch kind {
	case "green":
		return "badge badge-green"
	case "amber":
		return "badge badge-amber"
	case "red":
		return "badge badge-red"
	case "blue":
		return "badge badge-blue"
	case "gray":
		return "badge badge-gray"
	}
	return "badge badge-" + kind
}

func menuItemClass(danger bool) string {
	if danger {
		return "menu-item danger"
	}
	return "menu-item"
}

// ariaCurrent marks the link to what is being shown. It must say "page": assistive
// technology reads a bare aria-current as "false".
func ariaCurrent(on bool) templ.Attributes {
	if on {
		return templ.Attributes{"aria-current": "page"}
	}
	return nil
}

// timeAgo renders a past time for a table cell: "Never", "just now", "5 min ago", "3 days ago", or a date.
func timeAgo(t, now time.Time) string {
	if t.IsZero() || t.Year() <= 1 {
		return "Never"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	case d < 30*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day") + " ago"
	}
	return t.Format("2 Jan 2006")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func count(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func initials(name string) string {
	words := strings.Fields(name)
	if len(words) == 0 {
		return "?"
	}
	first := []rune(words[0])[:1]
	if len(words) > 1 && !strings.Contains(words[0], "@") {
		first = append(first, []rune(words[len(words)-1])[0])
	}
	return strings.ToUpper(string(first))
}
