package store

import (
	"context"
	"errors"
	"testing"

	"gatehouse/models"
)

// TestOtherActiveOrg: another organization where the user is active, the last one they were
// in first; none is ErrNotFound.
func TestOtherActiveOrg(t *testing.T) {
	ctx := context.Background()
	f := newSessionFixture(t)
	// Olive is active in Acme and Globex.
	if id, err := f.s.OtherActiveOrg(ctx, f.olive.ID, f.acme.ID); err != nil || id != f.globex.ID {
		t.Errorf("other than Acme = %d, %v, want Globex", id, err)
	}
	if id, err := f.s.OtherActiveOrg(ctx, f.olive.ID, 0); err != nil || (id != f.acme.ID && id != f.globex.ID) {
		t.Errorf("any = %d, %v", id, err)
	}
	if err := f.s.w.Model(&models.User{}).Where("id = ?", f.olive.ID).Update("last_org_id", f.globex.ID).Error; err != nil {
		t.Fatal(err)
	}
	if id, err := f.s.OtherActiveOrg(ctx, f.olive.ID, 0); err != nil || id != f.globex.ID {
		t.Errorf("any, last in Globex = %d, %v, want Globex", id, err)
	}
	if err := f.s.w.Model(&f.oliveGlbx).Update("status", models.StatusTerminated).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.OtherActiveOrg(ctx, f.olive.ID, f.acme.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("other than Acme when terminated in Globex = %v, want ErrNotFound", err)
	}
}
