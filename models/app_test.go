package models

import (
	"strings"
	"testing"
)

func TestParseAppURL(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{"grafana.example.com", "grafana.example.com", ""},
		{"  Grafana.Example.COM.  ", "grafana.example.com", ""},
		{"https://tools.example.com/wiki/", "tools.example.com/wiki", ""},
		{"http://tools.example.com/wiki/../ci", "tools.example.com/ci", ""},
		{"tools.example.com/", "tools.example.com", ""},
		{"localhost:8081", "localhost:8081", ""},
		{"127.0.0.1:8443/app", "127.0.0.1:8443/app", ""},
		{"[::1]:8080", "[::1]:8080", ""},
		{"bücher.example", "xn--bcher-kva.example", ""},
		{"tools.example.com/Wiki%20Pages", "tools.example.com/Wiki Pages", ""},
		{"ftp://files.example.com", "", "only http and https"},
		{"javascript:alert(1)", "", "not a host"},
		{"user@grafana.example.com", "", "not a host"},
		{"grafana.example.com?x=1", "", "not a host"},
		{"grafana.example.com#top", "", "not a host"},
		{"-grafana.example.com", "", "valid host"},
		{"grafana..example.com", "", "valid host"},
		{"grafana.example.com:99999", "", "not a host"},
		{"grafana.example.com:", "", "not a host"},
		{"tools.example.com\\wiki", "", "not a host"},
		{"", "", "Enter a URL"},
	} {
		u, msg := ParseAppURL(c.in)
		if c.err != "" {
			if msg == "" || !strings.Contains(msg, c.err) {
				t.Errorf("ParseAppURL(%q) = %q, %q; want a message with %q", c.in, u.String(), msg, c.err)
			}
			continue
		}
		if msg != "" || u.String() != c.want {
			t.Errorf("ParseAppURL(%q) = %q, %q; want %q", c.in, u.String(), msg, c.want)
		}
	}
}

func TestAppTableMatch(t *testing.T) {
	apps := []App{
		{ID: 1, URLs: []AppURL{{AppID: 1, Host: "tools.example.com"}}},
		{ID: 2, URLs: []AppURL{{AppID: 2, Host: "tools.example.com", PathPrefix: "/wiki"}}},
		{ID: 3, URLs: []AppURL{{AppID: 3, Host: "tools.example.com", PathPrefix: "/wiki/admin"}, {AppID: 3, Host: "admin.example.com:8443"}}},
		{ID: 4, URLs: []AppURL{{AppID: 4, Host: "grafana.example.com"}}},
	}
	tbl := NewAppTable(apps)
	for _, c := range []struct {
		host, uri string
		want      int64
	}{
		{"tools.example.com", "/", 1},
		{"tools.example.com", "/wikipedia", 1},
		{"tools.example.com", "/wiki", 2},
		{"tools.example.com", "/wiki/", 2},
		{"tools.example.com", "/wiki/page?x=/wiki/admin", 2},
		{"tools.example.com", "/wiki/admin", 3},
		{"tools.example.com", "/wiki/admin/users", 3},
		{"tools.example.com", "/wiki/Admin", 2},
		{"tools.example.com", "/wiki/%61dmin", 3},
		{"tools.example.com", "/wiki//admin", 3},
		{"tools.example.com", "/wiki/admin/../x", 2},
		{"tools.example.com", "/x/../wiki/admin", 3},
		{"TOOLS.example.com:443", "/wiki", 2},
		{"grafana.example.com.", "/", 4},
		{"admin.example.com:8443", "/", 3},
		{"admin.example.com", "/", 0},
		{"admin.example.com:8444", "/", 0},
		{"evil.example.com", "/", 0},
		{"", "/", 0},
	} {
		got := int64(0)
		if a := tbl.Match(c.host, c.uri); a != nil {
			got = a.ID
		}
		if got != c.want {
			t.Errorf("Match(%q, %q) = app %d, want %d", c.host, c.uri, got, c.want)
		}
	}
}
