package models

import (
	"strings"
	"testing"
)

func TestValidateEmail(t *testing.T) {
	const invalid = "Enter a valid email address, like name@example.com."
	// A 254-character address: the longest allowed.
	longest := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com"
	tests := []struct {
		name  string
		email string
		want  string
	}{
		{"plain", "ann@example.com", ""},
		{"subdomain", "ann@mail.example.co.uk", ""},
		{"plus tag and dots", "ann.lee+gatehouse@example.com", ""},
		{"apostrophe", "o'brien@example.ie", ""},
		{"digits and hyphen", "a1@ex-ample.io", ""},
		{"254 characters", longest, ""},

		{"empty", "", "Enter an email address."},
		{"255 characters", "a" + longest, "Email addresses are at most 254 characters."},
		{"display name", "Bob <b@x.com>", invalid},
		{"quoted display name", `"Bob" <b@x.com>`, invalid},
		{"angle brackets only", "<b@x.com>", invalid},
		{"comment", "b@x.com (Bob)", invalid},
		{"no at sign", "bx.com", invalid},
		{"two at signs", "b@@x.com", invalid},
		{"no local part", "@x.com", invalid},
		{"no domain", "b@", invalid},
		{"domain without dot", "b@localhost", invalid},
		{"leading dot in domain", "b@.x.com", invalid},
		{"trailing dot in domain", "b@x.com.", invalid},
		{"double dot in domain", "b@x..com", invalid},
		{"space inside", "b @x.com", invalid},
		{"space in domain", "b@x .com", invalid},
		{"leading space", " b@x.com", invalid},
		{"trailing space", "b@x.com ", invalid},
		{"newline", "b@x.com\n", invalid},
		{"quoted local part with space", `"a b"@x.com`, invalid},
		{"two addresses", "a@x.com, b@x.com", invalid},
	}
	if len(longest) != MaxEmailLen {
		t.Fatalf("test setup: longest address has %d characters, want %d", len(longest), MaxEmailLen)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidateEmail(tt.email); got != tt.want {
				t.Errorf("ValidateEmail(%q) = %q, want %q", tt.email, got, tt.want)
			}
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ann@example.com", "ann@example.com"},
		{"  Ann@Example.COM\t", "ann@example.com"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeEmail(tt.in); got != tt.want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCleanText(t *testing.T) {
	const notAllowed = "Name contains characters that are not allowed."
	tests := []struct {
		name    string
		in      string
		max     int
		want    string
		wantMsg string
	}{
		{"kept as is", "Ann Lee", 10, "Ann Lee", ""},
		{"trimmed", "  Ann Lee \t\n", 10, "Ann Lee", ""},
		{"empty", "", 10, "", ""},
		{"only spaces", "   ", 10, "", ""},
		{"exactly max", "abcde", 5, "abcde", ""},
		{"max after trimming", "  abcde  ", 5, "abcde", ""},
		{"multi-byte runes count once", "ééééé", 5, "ééééé", ""},
		{"one over max", "abcdef", 5, "abcdef", "Name is too long (at most 5 characters)."},
		{"multi-byte one over max", "éééééé", 5, "éééééé", "Name is too long (at most 5 characters)."},
		{"tab inside", "Ann\tLee", 10, "Ann\tLee", notAllowed},
		{"newline inside", "Ann\nLee", 10, "Ann\nLee", notAllowed},
		{"NUL", "Ann\x00", 10, "Ann\x00", notAllowed},
		{"escape", "\x1b[31mAnn", 20, "\x1b[31mAnn", notAllowed},
		{"DEL", "Ann\x7f", 10, "Ann\x7f", notAllowed},
		{"C1 control", "Ann\u0085Lee", 10, "Ann\u0085Lee", notAllowed},
		{"invalid UTF-8", "Ann\xffLee", 10, "Ann\xffLee", notAllowed},
		{"accents and CJK allowed", "Zoë 李", 10, "Zoë 李", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, msg := CleanText(tt.in, tt.max, "Name")
			if got != tt.want || msg != tt.wantMsg {
				t.Errorf("CleanText(%q, %d) = (%q, %q), want (%q, %q)", tt.in, tt.max, got, msg, tt.want, tt.wantMsg)
			}
		})
	}
}

func TestNameKeys(t *testing.T) {
	tests := []struct {
		first, last, email string
		wantName, wantLast string
	}{
		{"Ann", "Lee", "ann@x.com", "ann lee", "lee"},
		{"ANN", "LEE", "ann@x.com", "ann lee", "lee"},
		{"Ann", "", "ann@x.com", "ann", ""},
		{"", "Lee", "ann@x.com", "lee", "lee"},
		{"", "", "ann@x.com", "ann@x.com", ""},
		{" ", " ", "ann@x.com", "ann@x.com", ""},
		{"Émile", "Zola", "ez@x.com", "émile zola", "zola"},
		{"Guido", "van Rossum", "g@x.com", "guido van rossum", "van rossum"},
	}
	for _, tt := range tests {
		name, last := NameKeys(tt.first, tt.last, tt.email)
		if name != tt.wantName || last != tt.wantLast {
			t.Errorf("NameKeys(%q, %q, %q) = (%q, %q), want (%q, %q)", tt.first, tt.last, tt.email, name, last, tt.wantName, tt.wantLast)
		}
	}
}

func TestDisplayName(t *testing.T) {
	tests := []struct{ first, last, email, want string }{
		{"Ann", "Lee", "ann@x.com", "Ann Lee"},
		{"Ann", "", "ann@x.com", "Ann"},
		{"", "Lee", "ann@x.com", "Lee"},
		{"", "", "ann@x.com", "ann@x.com"},
		{" ", "", "ann@x.com", "ann@x.com"},
	}
	for _, tt := range tests {
		if got := DisplayName(tt.first, tt.last, tt.email); got != tt.want {
			t.Errorf("DisplayName(%q, %q, %q) = %q, want %q", tt.first, tt.last, tt.email, got, tt.want)
		}
		if got := (User{FirstName: tt.first, LastName: tt.last, Email: tt.email}).DisplayName(); got != tt.want {
			t.Errorf("User.DisplayName() = %q, want %q", got, tt.want)
		}
		if got := (Membership{FirstName: tt.first, LastName: tt.last, Email: tt.email}).DisplayName(); got != tt.want {
			t.Errorf("Membership.DisplayName() = %q, want %q", got, tt.want)
		}
	}
}

func TestMembershipSetName(t *testing.T) {
	m := Membership{Email: "ann@x.com"}
	m.SetName("Ann", "Lee")
	if m.FirstName != "Ann" || m.LastName != "Lee" || m.NameKey != "ann lee" || m.LastNameKey != "lee" {
		t.Errorf("after SetName(Ann, Lee): %+v", m)
	}
	m.SetName("", "")
	if m.FirstName != "" || m.LastName != "" || m.NameKey != "ann@x.com" || m.LastNameKey != "" {
		t.Errorf("after SetName(\"\", \"\"): %+v", m)
	}
}
