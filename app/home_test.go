package app_test

import (
	"context"
	"errors"
	"testing"

	"gatehouse/models"
	"gatehouse/store/storetest"
)

func TestHomeCounts(t *testing.T) {
	f := newFixture(t)
	acme := storetest.CreateOwner(t, f.st, "olive@acme.test", "Acme")
	owner := storetest.Current(acme)
	counts, err := f.app.HomeCounts(context.Background(), owner)
	if err != nil || counts[models.StatusActive] != 1 {
		t.Errorf("HomeCounts = %v, %v; want one active member", counts, err)
	}
	nobody := *owner
	nobody.Permissions = models.PermissionSet{}
	if _, err := f.app.HomeCounts(context.Background(), &nobody); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("HomeCounts without a role: %v, want ErrForbidden", err)
	}
}
