package views

import (
	"context"
	"io"

	"github.com/a-h/templ"
)

// The two widgets below are written in Go rather than in templ: a Users page has fifty row menus
// and some hundred and fifty badges, and templ formats every expression through fmt and sets up
// a context for every component, which made them half of the page's rendering. The markup is
// what the templ versions wrote.

// Badge is a small coloured label; kind picks the colour.
func Badge(text, kind string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		ew := errWriter{w: w}
		ew.write(`<span class="`, templ.EscapeString(badgeClass(kind)), `">`, templ.EscapeString(text), `</span>`)
		return ew.err
	})
}

// RowMenu is the actions menu at the end of a table row: a plain disclosure (details and
// summary, no ARIA menu roles), so it opens without JavaScript and reads as a button that
// shows a list of links. A row with no actions for the viewer gets no menu at all.
func RowMenu(label string, items []MenuItem) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		if len(items) == 0 {
			return nil
		}
		ew := errWriter{w: w}
		ew.write(`<details class="menu row-menu"><summary aria-label="`, templ.EscapeString(label), `" title="Actions">`,
			`<svg aria-hidden="true" width="16" height="16" viewBox="0 0 16 16"><circle cx="3" cy="8" r="1.5"></circle>`,
			`<circle cx="8" cy="8" r="1.5"></circle><circle cx="13" cy="8" r="1.5"></circle></svg></summary><div class="menu-panel">`)
		for _, it := range items {
			href := templ.EscapeString(string(safeURL(it.Href)))
			ew.write(`<a href="`, href, `"`)
			if it.Dialog {
				ew.write(` hx-get="`, href, `" hx-target="#modal" hx-swap="innerHTML"`)
			}
			ew.write(` class="`, menuItemClass(it.Danger), `">`, templ.EscapeString(it.Label), `</a>`)
		}
		ew.write(`</div></details>`)
		return ew.err
	})
}

// safeURL is href when it is safe to follow (a relative path, or http, https, mailto or tel),
// and otherwise a harmless placeholder: it refuses javascript: and data: URLs, as templ does
// for an href it writes itself.
func safeURL(href string) templ.SafeURL { return templ.URL(href) }

// errWriter writes strings until the first error, which it keeps.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) write(ss ...string) {
	for _, s := range ss {
		if e.err != nil {
			return
		}
		_, e.err = io.WriteString(e.w, s)
	}
}
