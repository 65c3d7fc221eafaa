package app_test

import (
	"context"
	"fmt"
	"testing"

	"gatehouse/app"
	"gatehouse/models"
)

// Forgot-password from an address over its quota sends nothing, and must not add a limiter
// key for every new email it tries.
func TestForgotPasswordFloodAddsNoKeys(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	meta := models.Meta{IP: "192.0.2.66"}
	request := func(email string) {
		if err := f.app.RequestPasswordReset(ctx, &models.ForgotPasswordRequest{Email: email}, meta); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 20 {
		request(fmt.Sprintf("user%d@example.com", i))
	}
	before := app.LimiterLen(f.app)
	for i := range 300 {
		request(fmt.Sprintf("flood%d@example.com", i))
	}
	if n := app.LimiterLen(f.app); n != before {
		t.Errorf("the limiter tracks %d keys after 300 more requests from an address over quota, want %d", n, before)
	}
	f.app.Wait()
}
