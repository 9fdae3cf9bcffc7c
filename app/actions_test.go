package app_test

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	msgv1 "cosmossdk.io/api/cosmos/msg/v1"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/app"
)

// routedMsgTypeURLs returns every message type URL the app's
// MsgServiceRouter routes, found two ways: every Msg service method
// (cosmos.msg.v1.service) in the app's proto files, and every sdk.Msg
// implementation in its interface registry.
func routedMsgTypeURLs(t *testing.T, a *app.App) []string {
	t.Helper()
	router := a.MsgServiceRouter()
	seen := map[string]bool{}
	a.InterfaceRegistry().RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		services := fd.Services()
		for i := 0; i < services.Len(); i++ {
			sd := services.Get(i)
			if !proto.GetExtension(sd.Options(), msgv1.E_Service).(bool) {
				continue
			}
			methods := sd.Methods()
			for j := 0; j < methods.Len(); j++ {
				url := "/" + string(methods.Get(j).Input().FullName())
				if router.HandlerByTypeURL(url) != nil {
					seen[url] = true
				}
			}
		}
		return true
	})
	for _, url := range a.InterfaceRegistry().ListImplementations(sdk.MsgInterfaceProtoName) {
		if router.HandlerByTypeURL(url) != nil {
			seen[url] = true
		}
	}
	out := make([]string, 0, len(seen))
	for url := range seen {
		out = append(out, url)
	}
	sort.Strings(out)
	return out
}

// A message type without an action rule is refused by the ante chain: this
// test makes a module that adds a Msg without a rule fail here, not in
// production.
func TestEveryRoutedMessageHasAnActionRule(t *testing.T) {
	a := newApp(t)
	routed := routedMsgTypeURLs(t, a)
	require.NotEmpty(t, routed)
	for _, url := range routed {
		rule, ok := app.ActionRuleFor(url)
		if !ok {
			t.Errorf("message type %s is routed but has no action rule in app/actions.go", url)
			continue
		}
		require.NotEmpty(t, rule.Action, url)
	}
	// And no rule names a message the app does not route (a stale rule
	// usually means a renamed message).
	router := a.MsgServiceRouter()
	for _, url := range app.ActionRuleTypeURLs() {
		if router.HandlerByTypeURL(url) == nil {
			t.Errorf("action rule for %s, which the app does not route", url)
		}
	}
}
