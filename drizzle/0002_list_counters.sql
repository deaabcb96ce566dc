CREATE TABLE "article_totals" (
	"shard" smallint PRIMARY KEY NOT NULL,
	"articles" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "article_totals_articles_check" CHECK ("article_totals"."articles" >= 0)
);
--> statement-breakpoint
-- Hand-written: the 16 shards (ARTICLE_TOTAL_SHARDS), each counting the existing articles of its id % 16.
INSERT INTO "article_totals" ("shard", "articles")
SELECT shard, (SELECT count(*) FROM "articles" WHERE "articles"."id" % 16 = shard)
FROM generate_series(0, 15) AS shard;--> statement-breakpoint
DROP INDEX "article_tags_tag_idx";--> statement-breakpoint
-- Hand-written: added empty, filled from the articles, then made NOT NULL (the generated ADD COLUMN … NOT NULL fails on existing rows).
ALTER TABLE "article_tags" ADD COLUMN "article_created_at" timestamp (3) with time zone;--> statement-breakpoint
UPDATE "article_tags" SET "article_created_at" = "articles"."created_at" FROM "articles" WHERE "articles"."id" = "article_tags"."article_id";--> statement-breakpoint
ALTER TABLE "article_tags" ALTER COLUMN "article_created_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "favorites" ADD COLUMN "article_created_at" timestamp (3) with time zone;--> statement-breakpoint
UPDATE "favorites" SET "article_created_at" = "articles"."created_at" FROM "articles" WHERE "articles"."id" = "favorites"."article_id";--> statement-breakpoint
ALTER TABLE "favorites" ALTER COLUMN "article_created_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "tags" ADD COLUMN "articles_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "articles_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "favorites_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Hand-written: the counters of the existing rows.
UPDATE "tags" SET "articles_count" = (SELECT count(*) FROM "article_tags" WHERE "article_tags"."tag_id" = "tags"."id");--> statement-breakpoint
UPDATE "users" SET "articles_count" = (SELECT count(*) FROM "articles" WHERE "articles"."author_id" = "users"."id"), "favorites_count" = (SELECT count(*) FROM "favorites" WHERE "favorites"."user_id" = "users"."id");--> statement-breakpoint
CREATE INDEX "article_tags_tag_created_idx" ON "article_tags" USING btree ("tag_id","article_created_at","article_id");--> statement-breakpoint
CREATE INDEX "favorites_user_created_idx" ON "favorites" USING btree ("user_id","article_created_at","article_id");--> statement-breakpoint
ALTER TABLE "tags" ADD CONSTRAINT "tags_articles_count_check" CHECK ("tags"."articles_count" >= 0);--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_articles_count_check" CHECK ("users"."articles_count" >= 0);--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_favorites_count_check" CHECK ("users"."favorites_count" >= 0);
