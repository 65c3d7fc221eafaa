package handlers

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"gatehouse/views"
)

// formIDs reads the values of a list of id checkboxes; a value that is not an id is kept as
// 0, which nothing has, so the use case refuses it.
func formIDs(c echo.Context, name string) []int64 {
	params, _ := c.FormParams()
	var ids []int64
	for _, v := range params[name] {
		id, _ := strconv.ParseInt(v, 10, 64)
		ids = append(ids, id)
	}
	return ids
}

// peopleChoice is the invite dialog's "People from your other organizations" for the
// search people_q, with the people picked so far checked and listed first.
func (h *Handler) peopleChoice(c echo.Context, picked []int64) (views.PeopleChoice, error) {
	q := c.FormValue("people_q")
	p, err := h.app.SearchPeople(c.Request().Context(), current(c), q, picked)
	if err != nil {
		return views.PeopleChoice{}, err
	}
	v := views.PeopleChoice{Available: p.Available, Query: q}
	for _, u := range p.Picked {
		v.Found = append(v.Found, views.PersonOption{ID: u.ID, Name: u.DisplayName(), Email: u.Email, Checked: true})
	}
	for _, u := range p.Found {
		if !slices.Contains(picked, u.ID) {
			v.Found = append(v.Found, views.PersonOption{ID: u.ID, Name: u.DisplayName(), Email: u.Email})
		}
	}
	return v, nil
}

// InvitePeople answers the live search of "People from your other organizations" (htmx).
func (h *Handler) InvitePeople(c echo.Context) error {
	v, err := h.peopleChoice(c, formIDs(c, "people"))
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, views.PeopleResults(v))
}
