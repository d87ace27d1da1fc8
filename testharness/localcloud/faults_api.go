package localcloud

import (
	"encoding/json"
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
)

// FaultsPath is the HTTP API of the cloud's fault registry, JSON in and
// out, unsigned like the rest of the control API:
//
//	GET    /_tracebridge/faults        {"faults": [<fault>…]}
//	POST   /_tracebridge/faults        <faults.Spec> → 201 <fault> (with its id)
//	DELETE /_tracebridge/faults/<id>   204, or 404 when there is no such fault
//	DELETE /_tracebridge/faults        204: every fault removed
const FaultsPath = ControlPathPrefix + "faults"

// FaultList is the answer to GET FaultsPath.
type FaultList struct {
	Faults []faults.Fault `json:"faults"`
}

// registerFaultRoutes adds the fault API to the control API's mux.
func (c *Cloud) registerFaultRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+FaultsPath, func(w http.ResponseWriter, _ *http.Request) {
		writeControlJSON(w, http.StatusOK, FaultList{Faults: c.faults.List()})
	})
	mux.HandleFunc("POST "+FaultsPath, c.serveAddFault)
	mux.HandleFunc("DELETE "+FaultsPath, func(w http.ResponseWriter, _ *http.Request) {
		c.faults.Clear()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE "+FaultsPath+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !c.faults.Remove(r.PathValue("id")) {
			writeControlError(w, http.StatusNotFound, "no fault "+r.PathValue("id"))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func (c *Cloud) serveAddFault(w http.ResponseWriter, r *http.Request) {
	var spec faults.Spec
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64*1024))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		writeControlError(w, http.StatusBadRequest, "body: want a fault spec: "+err.Error())
		return
	}
	f, err := c.faults.Add(spec)
	if err != nil {
		writeControlError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeControlJSON(w, http.StatusCreated, f)
}

func writeControlJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
