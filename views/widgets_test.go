package views

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/a-h/templ"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with what the widgets write now")

// The hand-written widgets' markup is pinned: a change to it shows up as a diff of the golden
// files (go test ./views -run Golden -update rewrites them after a deliberate change).
func TestWidgetsGolden(t *testing.T) {
	tests := []struct {
		name string
		c    templ.Component
	}{
		{"badge", Badge(`Owner <&> "quoted"`, "owner")},
		{"badge_unknown_kind", Badge("Pending", "no-such-kind")},
		{"row_menu_empty", RowMenu("Actions for Ada", nil)},
		{"row_menu", RowMenu(`Actions for "Ada" <ada@example.com>`, []MenuItem{
			{Label: "Edit roles", Href: "/users/42/roles", Dialog: true},
			{Label: "Terminate", Href: "/users/42/terminate?from=users&x=<1>", Danger: true, Dialog: true},
			{Label: "Plain link", Href: "https://example.com/a?b=c&d=e"},
			{Label: "Script", Href: "javascript:alert(1)"},
			{Label: "Data", Href: "data:text/html,<script>alert(1)</script>", Dialog: true},
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.c.Render(context.Background(), &b); err != nil {
				t.Fatal(err)
			}
			b.WriteByte('\n')
			path := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s changed:\ngot  %s\nwant %s", tt.name, b.Bytes(), want)
			}
		})
	}
}

// An unsafe URL never reaches an href.
func TestRowMenuRefusesUnsafeURLs(t *testing.T) {
	for _, href := range []string{"javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,x", "vbscript:x"} {
		var b bytes.Buffer
		if err := RowMenu("Actions", []MenuItem{{Label: "x", Href: href, Dialog: true}}).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(bytes.ToLower(b.Bytes()), []byte("script:")) || bytes.Contains(b.Bytes(), []byte("data:")) {
			t.Errorf("RowMenu with href %q wrote %s", href, b.Bytes())
		}
	}
}
