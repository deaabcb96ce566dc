ALTER TABLE "users" ADD COLUMN "followed_articles_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Hand-written: the feed total of the existing users, from the counters of the authors they follow.
UPDATE "users" SET "followed_articles_count" = "followed"."articles" FROM (SELECT "follows"."follower_id", sum("authors"."articles_count") AS "articles" FROM "follows" INNER JOIN "users" AS "authors" ON "authors"."id" = "follows"."followee_id" GROUP BY "follows"."follower_id") AS "followed" WHERE "users"."id" = "followed"."follower_id";--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_followed_articles_count_check" CHECK ("users"."followed_articles_count" >= 0);
