package chat

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestContentFromText(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(FromText("hi"))
	require.NoError(t, err)
	require.JSONEq(t, `{"items":[{"type":"text","text":"hi"}],"text":"hi"}`, string(b))
}

func TestContentEmptyItems(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(Content{})
	require.NoError(t, err)
	require.Equal(t, `{"items":[]}`, string(b))

	for _, in := range []string{`{}`, `{"items":null}`} {
		var c Content
		require.NoError(t, json.Unmarshal([]byte(in), &c))
		require.NotNil(t, c.Items, in)
		require.Empty(t, c.Items, in)
		require.Nil(t, c.Text, in)
	}
}

func TestContentKeepsUnknownItemsAndStructuredResponse(t *testing.T) {
	t.Parallel()
	in := `{"items":[{"type":"image","url":"https://x/y.png","alt":"a"},{"type":"text","text":"t"}],"structuredResponse":{"k":[1,2]}}`
	var c Content
	require.NoError(t, json.Unmarshal([]byte(in), &c))
	require.Equal(t, "image", c.Items[0].Type)
	out, err := json.Marshal(c)
	require.NoError(t, err)
	require.JSONEq(t, in, string(out))
}

func TestPlainText(t *testing.T) {
	t.Parallel()
	require.Equal(t, "hi", FromText("hi").PlainText())
	c := Content{Items: []Item{{Type: ItemText, Text: "a"}, {Type: "image", Raw: json.RawMessage(`{"type":"image"}`)}, {Type: ItemText, Text: "b"}}}
	require.Equal(t, "a b", c.PlainText(), "text items only, when Text is unset")
	require.Empty(t, Content{}.PlainText())
}
