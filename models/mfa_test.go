package models

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

func TestMustEnroll(t *testing.T) {
	created := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		name    string
		policy  MFAPolicy
		enabled bool
		grace   int
		age     time.Duration
		want    bool
	}{
		{"required, no factor, no grace", MFARequired, false, 0, 0, true},
		{"required, no factor, old account", MFARequired, false, 0, 400 * day, true},
		{"required, has a factor", MFARequired, true, 0, 400 * day, false},
		{"unset policy means required", "", false, 0, 0, true},
		{"unset policy, has a factor", "", true, 0, 0, false},
		{"optional", MFAOptional, false, 0, 400 * day, false},
		{"optional, has a factor", MFAOptional, true, 0, 0, false},
		{"off", MFAOff, false, 0, 400 * day, false},
		{"off, has a factor", MFAOff, true, 0, 0, false},
		{"unknown policy is not required", MFAPolicy("sometimes"), false, 0, 0, false},
		{"grace: brand new account", MFARequired, false, 7, 0, false},
		{"grace: a second short", MFARequired, false, 7, 7*day - time.Second, false},
		{"grace: exactly over", MFARequired, false, 7, 7 * day, true},
		{"grace: long over", MFARequired, false, 7, 30 * day, true},
		{"grace: over, has a factor", MFARequired, true, 7, 30 * day, false},
		{"grace with unset policy", "", false, 3, 2 * day, false},
		{"grace with unset policy, over", "", false, 3, 3 * day, true},
		{"grace, optional, over", MFAOptional, false, 7, 30 * day, false},
		{"grace, off, over", MFAOff, false, 7, 30 * day, false},
		{"longest grace, a day short", MFARequired, false, MaxMFAGraceDays, 29 * day, false},
		{"longest grace, over", MFARequired, false, MaxMFAGraceDays, 30 * day, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			org := Organization{MFAPolicy: tt.policy, MFAGraceDays: tt.grace}
			u := User{MFAEnabled: tt.enabled, CreatedAt: created}
			if got := org.MustEnroll(u, created.Add(tt.age)); got != tt.want {
				t.Errorf("MustEnroll(policy %q, enabled %v, grace %d, age %v) = %v, want %v", tt.policy, tt.enabled, tt.grace, tt.age, got, tt.want)
			}
		})
	}
}

func TestMFAPolicyValid(t *testing.T) {
	for _, p := range []MFAPolicy{MFARequired, MFAOptional, MFAOff} {
		if !p.Valid() {
			t.Errorf("%q not valid", p)
		}
	}
	for _, p := range []MFAPolicy{"", "Required", "none", "on"} {
		if p.Valid() {
			t.Errorf("%q valid", p)
		}
	}
}

func TestNewSMSCode(t *testing.T) {
	six := regexp.MustCompile(`^[0-9]{6}$`)
	seen := map[string]bool{}
	leadingZero := false
	for range 3000 {
		c := NewSMSCode()
		if !six.MatchString(c) {
			t.Fatalf("NewSMSCode() = %q, want 6 digits", c)
		}
		seen[c] = true
		leadingZero = leadingZero || c[0] == '0'
	}
	// One code in ten starts with 0: over 3000 codes, missing them all means they are dropped.
	if !leadingZero {
		t.Error("no code of 3000 starts with 0: leading zeros are lost")
	}
	if len(seen) < 2900 {
		t.Errorf("only %d distinct codes of 3000", len(seen))
	}
}

func TestHashCode(t *testing.T) {
	_, ch1 := NewToken()
	_, ch2 := NewToken()
	a := HashCode(ch1, "123456")
	if !bytes.Equal(a, HashCode(ch1, "123456")) {
		t.Error("the same code for the same challenge hashes differently")
	}
	if !SameHash(a, HashCode(ch1, "123456")) {
		t.Error("SameHash refuses equal hashes")
	}
	if SameHash(a, HashCode(ch2, "123456")) {
		t.Error("a code hashes the same for another challenge: codes are not bound to their attempt")
	}
	if SameHash(a, HashCode(ch1, "123457")) {
		t.Error("two codes hash the same")
	}
	if bytes.Contains(a, []byte("123456")) {
		t.Error("the hash contains the code")
	}
	if SameHash(nil, nil) || SameHash(nil, a) || SameHash([]byte{}, []byte{}) {
		t.Error("SameHash accepts an empty hash: a challenge without a code would match")
	}
}

func TestNewRecoveryCodes(t *testing.T) {
	format := regexp.MustCompile(`^[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}-[a-km-np-z2-9]{2}$`)
	codes, hashes := NewRecoveryCodes()
	if len(codes) != RecoveryCodeCount || RecoveryCodeCount != 10 || len(hashes) != len(codes) {
		t.Fatalf("%d codes and %d hashes, want 10 of each", len(codes), len(hashes))
	}
	seen := map[string]bool{}
	for i, c := range codes {
		if !format.MatchString(c) {
			t.Errorf("code %q does not look like xxxx-xxxx-xx without easily confused characters", c)
		}
		if seen[c] {
			t.Errorf("code %q repeated", c)
		}
		seen[c] = true
		if bytes.Contains(hashes[i], []byte(strings.ReplaceAll(c, "-", ""))) {
			t.Errorf("hash %d contains its code", i)
		}
		plain := strings.ReplaceAll(c, "-", "")
		for _, typed := range []string{c, strings.ToUpper(c), plain, strings.ToUpper(plain), " " + plain[:4] + " " + plain[4:8] + " " + plain[8:] + " ",
			plain[:5] + "-" + plain[5:], "\t" + c} {
			if !SameHash(hashes[i], HashRecoveryCode(typed)) {
				t.Errorf("code %q typed as %q does not match its hash", c, typed)
			}
		}
		for j, h := range hashes {
			if j != i && SameHash(h, HashRecoveryCode(c)) {
				t.Errorf("code %d matches hash %d", i, j)
			}
		}
	}
	if SameHash(hashes[0], HashRecoveryCode(codes[0][:len(codes[0])-1])) {
		t.Error("a code missing its last character matches")
	}
	again, _ := NewRecoveryCodes()
	for _, c := range again {
		if seen[c] {
			t.Errorf("a second set repeats %q", c)
		}
	}
}

// testTOTPSecret is a fixed base32 key, so the codes below are the same on every run.
const testTOTPSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

func totpCode(t *testing.T, secret string, step int64) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, time.Unix(step*TOTPPeriod, 0), totp.ValidateOpts{Period: TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMatchTOTP(t *testing.T) {
	now := time.Unix(1_790_000_010, 0)
	step := now.Unix() / TOTPPeriod
	codes := map[int64]string{}
	for d := int64(-3); d <= 3; d++ {
		codes[d] = totpCode(t, testTOTPSecret, step+d)
	}
	// The table assumes the codes of nearby steps differ; with this key and time they do.
	for d1, c1 := range codes {
		for d2, c2 := range codes {
			if d1 != d2 && c1 == c2 {
				t.Fatalf("steps %d and %d share the code %s: pick another time", d1, d2, c1)
			}
		}
	}
	tests := []struct {
		name     string
		code     string
		lastStep int64
		wantStep int64 // 0: refused
	}{
		{"current step", codes[0], 0, step},
		{"previous step (phone clock behind)", codes[-1], 0, step - 1},
		{"next step (phone clock ahead)", codes[1], 0, step + 1},
		{"two steps ago", codes[-2], 0, 0},
		{"two steps ahead", codes[2], 0, 0},
		{"three steps ago", codes[-3], 0, 0},
		{"typed with a space", codes[0][:3] + " " + codes[0][3:], 0, step},
		{"typed with a dash", codes[0][:3] + "-" + codes[0][3:], 0, step},
		{"replay of the current step", codes[0], step, 0},
		{"replay of the previous step", codes[-1], step - 1, 0},
		{"previous step after the current one was used", codes[-1], step, 0},
		{"next step after the current one was used", codes[1], step, step + 1},
		{"current step after the previous one was used", codes[0], step - 1, step},
		{"everything up to the next step used", codes[1], step + 1, 0},
		{"five digits", codes[0][:5], 0, 0},
		{"seven digits", codes[0] + "0", 0, 0},
		{"empty", "", 0, 0},
		{"letters", "abcdef", 0, 0},
		{"wrong code", wrongCode(codes), 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := MatchTOTP(testTOTPSecret, tt.code, now, tt.lastStep)
			if ok != (tt.wantStep != 0) || got != tt.wantStep {
				t.Errorf("MatchTOTP(%q, last step %d) = %d, %v; want step %d", tt.code, tt.lastStep, got, ok, tt.wantStep)
			}
		})
	}

	t.Run("codes of a real key", func(t *testing.T) {
		key, err := NewTOTPKey("Gatehouse (Acme)", "olive@example.com")
		if err != nil {
			t.Fatal(err)
		}
		code := totpCode(t, key.Secret(), step)
		if s, ok := MatchTOTP(key.Secret(), code, now, 0); !ok || s != step {
			t.Errorf("the code of a new key: %d, %v", s, ok)
		}
		if _, ok := MatchTOTP(testTOTPSecret, code, now, 0); ok && code != codes[0] {
			t.Error("one key's code matches another key")
		}
	})
}

// wrongCode is a six-digit code that belongs to none of the steps around now.
func wrongCode(codes map[int64]string) string {
	for _, c := range []string{"000000", "123456", "999999", "314159"} {
		used := false
		for _, have := range codes {
			used = used || have == c
		}
		if !used {
			return c
		}
	}
	panic("every candidate is in use")
}

func TestTOTPURL(t *testing.T) {
	key, err := NewTOTPKey("x", "y")
	if err != nil {
		t.Fatal(err)
	}
	secret := key.Secret()
	tests := []struct{ issuer, account string }{
		{"Gatehouse (Acme)", "olive@example.com"},
		{"Gatehouse (Acme & Sons / R&D)", "o.l+ive@example.co.uk"},
		{"Gatehouse (Ünïcødé 株式会社)", "olive@example.com"},
		{"Gatehouse (100% #1?)", "olive@example.com"},
		// A colon splits issuer from account in the label: one in the organization's name
		// must not move the split.
		{"Gatehouse (Acme: Labs)", "olive@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.issuer, func(t *testing.T) {
			raw := TOTPURL(tt.issuer, tt.account, secret)
			k, err := otp.NewKeyFromURL(raw)
			if err != nil {
				t.Fatalf("NewKeyFromURL(%q): %v", raw, err)
			}
			if k.Type() != "totp" || k.Secret() != secret || k.Issuer() != tt.issuer || k.AccountName() != tt.account {
				t.Errorf("%q reads back as type %q secret %q issuer %q account %q", raw, k.Type(), k.Secret(), k.Issuer(), k.AccountName())
			}
			if k.Period() != TOTPPeriod || k.Digits() != otp.DigitsSix || k.Algorithm() != otp.AlgorithmSHA1 {
				t.Errorf("%q: period %d digits %v algorithm %v", raw, k.Period(), k.Digits(), k.Algorithm())
			}
			if !strings.HasPrefix(raw, "otpauth://totp/") {
				t.Errorf("%q is not an otpauth://totp/ URL", raw)
			}
		})
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in, want string
		msgHas   string // "" when valid
	}{
		{"+44 7911 123456", "+447911123456", ""},
		{"+447911123456", "+447911123456", ""},
		{"  +44 (0)7911 123456 ", "+447911123456", ""},
		{"+44-7911-123-456", "+447911123456", ""},
		{"0044 7911 123456", "+447911123456", ""},
		{"+1 201-555-0123", "+12015550123", ""},
		{"+1 (201) 555 0123", "+12015550123", ""},
		{"+1 201.555.0123", "+12015550123", ""},
		{"001 201 555 0123", "+12015550123", ""},
		{"", "", "Enter a phone number"},
		{"   ", "", "Enter a phone number"},
		{"447911123456", "", "country code"},
		{"07911 123456", "", "country code"},
		{"(201) 555-0123", "", "country code"},
		{"+44 7911 ABCDEF", "", "only digits"},
		{"+44 7911 12345a", "", "only digits"},
		{"+44 7911 123456a", "", "only digits"},
		{"+1 800 FLOWERS", "", "only digits"},
		{"+44 phone", "", "only digits"},
		{"+44 7911 123456 ext. 12", "", "only digits"},
		{"+44 7911 123456#12", "", "only digits"},
		{"+44 ７９１１ １２３４５６", "+447911123456", ""},
		{"+44 7911", "", "valid phone number"},
		{"+1 201", "", "valid phone number"},
		{"+", "", "valid phone number"},
		{"+44 7911 123456 789", "", "valid phone number"},
		{"+1 201 555 0123 4567", "", "valid phone number"},
		{"+999 1234 5678", "", "valid phone number"},
		{"+44 7911 123456" + strings.Repeat(" ", 30), "+447911123456", ""},
		{"+44 " + strings.Repeat("1", 50), "", "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, msg := NormalizePhone(tt.in)
			if tt.msgHas == "" {
				if got != tt.want || msg != "" {
					t.Errorf("NormalizePhone(%q) = %q, %q; want %q", tt.in, got, msg, tt.want)
				}
				return
			}
			if got != "" || !strings.Contains(msg, tt.msgHas) {
				t.Errorf("NormalizePhone(%q) = %q, %q; want a message saying %q", tt.in, got, msg, tt.msgHas)
			}
		})
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+447911123456", "•••••••••3456"},
		{"+12015550123", "••••••••0123"},
		{"+4412", "•4412"},
		{"1234", "1234"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if len(tt.in) > 4 && strings.Contains(MaskPhone(tt.in), tt.in[:len(tt.in)-4]) {
			t.Errorf("MaskPhone(%q) shows more than the last four digits", tt.in)
		}
	}
}
