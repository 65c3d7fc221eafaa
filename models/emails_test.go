package models

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseEmailList(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		emails  []string
		invalid []string
	}{
		{"empty", "", nil, nil},
		{"only separators and blanks", " \n\r\n,;\t ,, ;\n", nil, nil},
		{"one", "ada@example.com", []string{"ada@example.com"}, nil},
		{"newlines", "ada@example.com\nbob@example.com\n\ncy@example.com\n", []string{"ada@example.com", "bob@example.com", "cy@example.com"}, nil},
		{"CRLF", "ada@example.com\r\nbob@example.com\r\n", []string{"ada@example.com", "bob@example.com"}, nil},
		{"bare CR", "ada@example.com\rbob@example.com", []string{"ada@example.com", "bob@example.com"}, nil},
		{"commas", "ada@example.com,bob@example.com, cy@example.com", []string{"ada@example.com", "bob@example.com", "cy@example.com"}, nil},
		{"semicolons", "ada@example.com; bob@example.com;cy@example.com;", []string{"ada@example.com", "bob@example.com", "cy@example.com"}, nil},
		{"tabs", "ada@example.com\tbob@example.com", []string{"ada@example.com", "bob@example.com"}, nil},
		{"spaces", "ada@example.com   bob@example.com cy@example.com", []string{"ada@example.com", "bob@example.com", "cy@example.com"}, nil},
		{"mixed separators", "ada@example.com, bob@example.com;\r\ncy@example.com\tdee@example.com eve@example.com",
			[]string{"ada@example.com", "bob@example.com", "cy@example.com", "dee@example.com", "eve@example.com"}, nil},
		{"spreadsheet column with a header", "Email\r\nada@example.com\r\nbob@example.com\r\n\r\n",
			[]string{"ada@example.com", "bob@example.com"}, []string{"Email"}},
		{"spreadsheet rows, several columns", "Name\tEmail\tTeam\r\nAda\tada@example.com\tOps\r\n",
			[]string{"ada@example.com"}, []string{"Name", "Email", "Team", "Ada", "Ops"}},
		{"display name", "Ada Lovelace <Ada@Example.com>", []string{"ada@example.com"}, nil},
		{"quoted display name", `"Lovelace, Ada" <ada@example.com>; Bob <bob@example.com>`,
			// The comma inside the quotes is part of the name, as Outlook exports it.
			[]string{"ada@example.com", "bob@example.com"}, nil},
		{"display names in a list", "Ada <ada@example.com>, Bob Builder <bob@example.com>\nCy <cy@example.com>",
			[]string{"ada@example.com", "bob@example.com", "cy@example.com"}, nil},
		{"angle brackets only", "<ada@example.com>", []string{"ada@example.com"}, nil},
		{"quotes trimmed", `"ada@example.com", 'bob@example.com'`, []string{"ada@example.com", "bob@example.com"}, nil},
		{"parentheses trimmed", "(ada@example.com)", []string{"ada@example.com"}, nil},
		{"case-normalised duplicates keep first-seen order", "Bob@Example.com\nada@example.com\nBOB@EXAMPLE.COM\nbob@example.com\nADA@example.com",
			[]string{"bob@example.com", "ada@example.com"}, nil},
		{"duplicate in a display name", "bob@example.com, Bob <BOB@example.com>", []string{"bob@example.com"}, nil},
		{"invalid reported verbatim", "ada@example.com\nnot-an-email\nBob@\n@example.com\nx@localhost\nbob@example.com",
			[]string{"ada@example.com", "bob@example.com"}, []string{"not-an-email", "Bob@", "@example.com", "x@localhost"}},
		{"invalid reported once", "nope, nope; NOPE", nil, []string{"nope"}},
		{"trailing dot domain", "a@example.", nil, []string{"a@example."}},
		{"too long", strings.Repeat("a", 250) + "@example.com", nil, []string{strings.Repeat("a", 250) + "@example.com"}},
		{"unicode spaces around", "\u00a0ada@example.com\u00a0", []string{"ada@example.com"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emails, invalid := ParseEmailList(tt.in)
			if !slices.Equal(emails, tt.emails) {
				t.Errorf("emails = %q, want %q", emails, tt.emails)
			}
			if !slices.Equal(invalid, tt.invalid) {
				t.Errorf("invalid = %q, want %q", invalid, tt.invalid)
			}
			for _, e := range emails {
				if msg := ValidateEmail(e); msg != "" || e != NormalizeEmail(e) {
					t.Errorf("returned %q, which is not a normalised valid address (%s)", e, msg)
				}
			}
		})
	}
}

func TestParseEmailListLarge(t *testing.T) {
	const n = 10000
	var b strings.Builder
	b.WriteString("Email\r\n")
	for i := range n {
		fmt.Fprintf(&b, "User.%05d@Example.com\r\n", i)
		if i%10 == 0 { // a repeat in another case, to be dropped
			fmt.Fprintf(&b, "user.%05d@example.com\r\n", i)
		}
	}
	start := time.Now()
	emails, invalid := ParseEmailList(b.String())
	elapsed := time.Since(start)
	if len(emails) != n {
		t.Fatalf("got %d emails, want %d", len(emails), n)
	}
	if emails[0] != "user.00000@example.com" || emails[n-1] != fmt.Sprintf("user.%05d@example.com", n-1) {
		t.Errorf("order lost: first %q, last %q", emails[0], emails[n-1])
	}
	if !slices.Equal(invalid, []string{"Email"}) {
		t.Errorf("invalid = %q, want the header only", invalid)
	}
	// Linear work takes milliseconds; a quadratic scan of 11,000 entries would take far longer.
	if elapsed > 5*time.Second {
		t.Errorf("parsing %d entries took %v", n, elapsed)
	}
}
