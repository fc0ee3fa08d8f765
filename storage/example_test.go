package storage_test

import (
	"context"
	"fmt"
	"log"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/ent/conversation"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/migration"
)

// Open a store, apply the embedded migrations, and write and traverse as a
// viewer of one organization.
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
	conv, err := store.Client().Conversation.Create().
		SetOrganizationID("acme").SetPlatform(conversation.PlatformWeb).SetName("Refund").Save(ctx)
	if err != nil {
		log.Fatal(err)
	}
	n, err := conv.QueryMessages().Count(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(conv.Name, n)
}
