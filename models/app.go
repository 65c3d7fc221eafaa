package models

import (
	"net"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/idna"
)

// App is one of an organization's own tools (a dashboard, a wiki, a CI) that Gatehouse guards
// through the forward-auth endpoints.
type App struct {
	ID          int64
	OrgID       int64
	Name        string
	Description string
	Enabled     bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
	URLs        []AppURL `gorm:"-"`
	Roles       []Role   `gorm:"-"` // every holder of these roles may use the app
	Members     int      `gorm:"-"` // how many members were given the app directly (lists)
}

// AppURL is where an app is reached: a host (lower-case, ASCII, with a port only when the app
// is reached on that port alone) and an optional path prefix ("" for the whole host,
// otherwise starting with "/" and without a trailing one).
type AppURL struct {
	ID         int64
	AppID      int64
	OrgID      int64
	Host       string
	PathPrefix string
}

// String is the URL as people type it: host and prefix.
func (u AppURL) String() string { return u.Host + u.PathPrefix }

// Limits of an app's fields.
const (
	MaxAppNameLen        = 100
	MaxAppDescriptionLen = 500
	MaxAppURLLen         = 300
	MaxAppURLs           = 20
)

// AppRequest is an app as typed into the Add app or edit form: URLs one per line.
type AppRequest struct {
	Name        string
	Description string
	URLs        string
	// Parsed by Validate.
	Parsed []AppURL
}

// Validate cleans the fields, parses the URLs and returns what is wrong.
func (r *AppRequest) Validate() FieldErrors {
	errs := FieldErrors{}
	r.Name = RequiredText(errs, "name", r.Name, MaxAppNameLen, "Name", "Enter the app's name.")
	var msg string
	if r.Description, msg = CleanText(r.Description, MaxAppDescriptionLen, "Description"); msg != "" {
		errs.Add("description", msg)
	}
	r.Parsed = nil
	seen := map[string]bool{}
	var lines []string
	for _, l := range strings.FieldsFunc(r.URLs, func(c rune) bool { return c == '\n' || c == '\r' || c == ',' }) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	switch {
	case len(lines) == 0:
		errs.Add("urls", "Enter at least one URL, such as grafana.example.com or tools.example.com/wiki.")
	case len(lines) > MaxAppURLs:
		errs.Add("urls", "An app has at most "+strconv.Itoa(MaxAppURLs)+" URLs.")
	}
	for _, l := range lines {
		u, msg := ParseAppURL(l)
		if msg != "" {
			errs.Add("urls", msg)
			continue
		}
		if seen[u.String()] {
			errs.Add("urls", u.String()+" is listed twice.")
			continue
		}
		seen[u.String()] = true
		r.Parsed = append(r.Parsed, u)
	}
	return errs
}

// ParseAppURL reads one app URL as a person types it: "grafana.example.com",
// "tools.example.com/wiki", "https://tools.example.com/wiki/" or "localhost:8081". The host
// is lower-cased and internationalised names put in their ASCII form, as proxies send them;
// a query, fragment, user or a scheme other than http(s) is refused. The message says what
// is wrong, "" when nothing is.
func ParseAppURL(s string) (AppURL, string) {
	s = strings.TrimSpace(s)
	if len(s) > MaxAppURLLen {
		return AppURL{}, "A URL is too long (at most " + strconv.Itoa(MaxAppURLLen) + " characters)."
	}
	if s == "" {
		return AppURL{}, "Enter a URL."
	}
	bad := func() (AppURL, string) {
		return AppURL{}, quoteShort(s) + " is not a host with an optional path, such as tools.example.com/wiki."
	}
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		switch strings.ToLower(scheme) {
		case "http", "https":
			s = rest
		default:
			return AppURL{}, quoteShort(s) + ": only http and https addresses can be guarded."
		}
	}
	if strings.ContainsAny(s, "?#@\\ \t") || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return bad()
	}
	hostport, p, _ := strings.Cut(s, "/")
	u := url.URL{Scheme: "http", Host: hostport}
	host, port := u.Hostname(), u.Port()
	if host == "" || (strings.Contains(hostport, ":") && port == "" && !strings.HasPrefix(hostport, "[")) {
		return bad()
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return bad()
		}
	}
	if ip := net.ParseIP(host); ip == nil {
		ascii, err := idna.Lookup.ToASCII(strings.TrimSuffix(host, "."))
		if err != nil || ascii == "" || !validHostname(ascii) {
			return AppURL{}, quoteShort(s) + " does not name a valid host."
		}
		host = ascii
	} else if strings.Contains(host, ":") {
		host = "[" + ip.String() + "]"
	} else {
		host = ip.String()
	}
	if port != "" {
		host += ":" + port
	}
	prefix := ""
	if p != "" {
		unescaped, err := url.PathUnescape(p)
		if err != nil {
			return bad()
		}
		prefix = path.Clean("/" + unescaped)
		if prefix == "/" {
			prefix = ""
		}
	}
	return AppURL{Host: strings.ToLower(host), PathPrefix: prefix}, ""
}

func validHostname(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

func quoteShort(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return "“" + s + "”"
}

// AppURLs joins an app's URLs one per line, as the form shows them.
func AppURLs(urls []AppURL) string {
	out := make([]string, len(urls))
	for i, u := range urls {
		out[i] = u.String()
	}
	return strings.Join(out, "\n")
}

// AppTable finds which app a request is for: by host (exact, then without its port) and the
// longest path prefix that matches whole path segments.
type AppTable struct {
	byHost map[string][]AppURL // each host's URLs, longest prefix first
	apps   map[int64]*App
}

// NewAppTable indexes apps (with their URLs) for Match.
func NewAppTable(apps []App) *AppTable {
	t := &AppTable{byHost: map[string][]AppURL{}, apps: map[int64]*App{}}
	for i := range apps {
		a := &apps[i]
		t.apps[a.ID] = a
		for _, u := range a.URLs {
			t.byHost[u.Host] = append(t.byHost[u.Host], u)
		}
	}
	for h, us := range t.byHost {
		// Longest prefix first.
		for i := 1; i < len(us); i++ {
			for j := i; j > 0 && len(us[j].PathPrefix) > len(us[j-1].PathPrefix); j-- {
				us[j], us[j-1] = us[j-1], us[j]
			}
		}
		t.byHost[h] = us
	}
	return t
}

// Match returns the app whose URL matches host and the request path (raw, as the client sent
// it: it is unescaped and cleaned first, so /wiki/../admin is /admin), or nil. A disabled app
// still matches, so that it is refused rather than a shorter prefix's app let in.
func (t *AppTable) Match(host, rawPath string) *App {
	if t == nil {
		return nil
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	p := CleanRequestPath(rawPath)
	if a := t.match(host, p); a != nil {
		return a
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		if strings.Contains(h, ":") {
			h = "[" + h + "]"
		}
		return t.match(h, p)
	}
	return nil
}

func (t *AppTable) match(host, p string) *App {
	for _, u := range t.byHost[host] {
		if u.PathPrefix == "" || p == u.PathPrefix || strings.HasPrefix(p, u.PathPrefix+"/") {
			return t.apps[u.AppID]
		}
	}
	return nil
}

// CleanRequestPath is the path of a request URI (query dropped) unescaped and cleaned, as the
// app behind the proxy will understand it.
func CleanRequestPath(uri string) string {
	if i := strings.IndexAny(uri, "?#"); i >= 0 {
		uri = uri[:i]
	}
	if u, err := url.PathUnescape(uri); err == nil {
		uri = u
	}
	uri = strings.ReplaceAll(uri, "\\", "/")
	return path.Clean("/" + uri)
}
