package models

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/idna"
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

// Look-alike addresses: a local part or a domain label mixing alphabets is refused with its
// own message; one alphabet, or the ones a language writes together, is fine.
func TestValidateEmailScripts(t *testing.T) {
	const invalid = "Enter a valid email address, like name@example.com."
	punyMixed, err := idna.Lookup.ToASCII("exаmple.com") // Cyrillic а
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, email, want string
	}{
		{"Latin", "admin@example.com", ""},
		{"Cyrillic а in a Latin local part", "аdmin@example.com", MixedScriptEmail},
		{"Greek ο in a Latin local part", "bοb@example.com", MixedScriptEmail},
		{"Cyrillic а in a Latin domain label", "admin@exаmple.com", MixedScriptEmail},
		{"the same label in punycode", "admin@" + punyMixed, MixedScriptEmail},
		{"all Cyrillic", "иван@пример.рф", ""},
		{"Cyrillic label beside a Latin one", "ivan@пример.com", ""},
		{"German umlauts are Latin", "jürgen@bücher.de", ""},
		{"Japanese: Han and Hiragana", "たなか太郎@example.jp", ""},
		{"Korean: Hangul and Han", "김철수@例え.kr", ""},
		{"Greek", "αλέξης@παράδειγμα.gr", ""},
		{"digits and punctuation are shared", "иван.2024+тест@пример.рф", ""},
		{"a domain IDNA refuses", "ann@exa\u200dmple.com", invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidateEmail(NormalizeEmail(tt.email)); got != tt.want {
				t.Errorf("ValidateEmail(%q) = %q, want %q", tt.email, got, tt.want)
			}
		})
	}
}

// An internationalised domain is kept in one form, whichever way it was typed.
func TestNormalizeEmailIDNA(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Ann@Example.COM", "ann@example.com"},
		{"jürgen@bücher.de", "jürgen@bücher.de"},
		{"JÜRGEN@BÜCHER.DE", "jürgen@bücher.de"},
		{"jürgen@xn--bcher-kva.de", "jürgen@bücher.de"},
		{"ju\u0308rgen@bu\u0308cher.de", "jürgen@bücher.de"}, // decomposed ü
		{"ann@ｅｘａｍｐｌｅ.com", "ann@example.com"},               // full-width letters
		{"ivan@ПРИМЕР.РФ", "ivan@пример.рф"},
	}
	for _, tt := range tests {
		if got := NormalizeEmail(tt.in); got != tt.want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := NormalizeEmail(NormalizeEmail(tt.in)); got != tt.want {
			t.Errorf("NormalizeEmail is not idempotent on %q: %q", tt.in, got)
		}
	}
}
