CREATE TABLE "feed_totals" (
	"user_id" integer PRIMARY KEY NOT NULL,
	"articles" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "feed_totals_articles_check" CHECK ("feed_totals"."articles" >= 0)
);
--> statement-breakpoint
ALTER TABLE "feed_totals" ADD CONSTRAINT "feed_totals_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Hand-written: a row for every reader who follows anyone, with the articles of everyone they follow.
INSERT INTO "feed_totals" ("user_id", "articles") SELECT "follows"."follower_id", sum("authors"."articles_count") FROM "follows" INNER JOIN "users" AS "authors" ON "authors"."id" = "follows"."followee_id" GROUP BY "follows"."follower_id";
