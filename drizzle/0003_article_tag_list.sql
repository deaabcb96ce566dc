ALTER TABLE "articles" ADD COLUMN "tag_list" varchar(50)[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
-- Hand-written: the tag names of the existing articles, sorted, from their links.
UPDATE "articles" SET "tag_list" = ARRAY(SELECT "tags"."name" FROM "article_tags" INNER JOIN "tags" ON "tags"."id" = "article_tags"."tag_id" WHERE "article_tags"."article_id" = "articles"."id" ORDER BY "tags"."name") WHERE EXISTS (SELECT 1 FROM "article_tags" WHERE "article_tags"."article_id" = "articles"."id");
