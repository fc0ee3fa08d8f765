package storage_test

import (
	"context"
	"fmt"
	"log"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/chat"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/migration"
)

// Open a store, apply the embedded migrations, and record and page a
// conversation as a viewer of one organization.
func Example() {
	ctx := context.Background()
	store, err := storage.Open(ctx, storage.URLFromEnv())
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	if _, err := storage.Migrate(ctx, store.DB(), migration.Options{}); err != nil {
		log.Fatal(err)
	}

	ctx = access.NewContext(ctx, access.Viewer{OrganizationID: "acme", UserID: "u-1"})
	conv, err := store.CreateConversation(ctx, storage.NewConversation{Platform: "web", IdempotencyKey: "order-1042"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := store.AppendMessage(ctx, storage.NewMessage{
		ConversationID: conv.ID, Direction: "inbound", Content: chat.FromText("Where is my refund?")}); err != nil {
		log.Fatal(err)
	}
	page, err := store.Messages(ctx, conv.ID, storage.MessagePageRequest{Limit: 50})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Items), *page.Items[0].Content.Text)
}

// Write with ent and raw SQL in one transaction.
func ExampleStore_WithTx() {
	ctx := access.NewContext(context.Background(), access.Viewer{OrganizationID: "acme"})
	store, err := storage.Open(ctx, storage.URLFromEnv())
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	err = store.WithTx(ctx, func(tx *storage.Tx) error {
		conv, err := tx.CreateConversation(ctx, storage.NewConversation{Platform: "sms"})
		if err != nil {
			return err // rolls back
		}
		_, err = tx.AppendMessage(ctx, storage.NewMessage{ConversationID: conv.ID, Direction: "outbound"})
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
}
