CREATE TYPE "public"."account_status" AS ENUM('active', 'suspended');--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "role" "user_role";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "status" "account_status" DEFAULT 'active' NOT NULL;--> statement-breakpoint
CREATE INDEX "audit_events_action_idx" ON "audit_events" USING btree ("action","sequence");--> statement-breakpoint
CREATE INDEX "users_active_admins_idx" ON "users" USING btree ("id") WHERE "users"."role" = 'admin' and "users"."status" = 'active';--> statement-breakpoint
-- Hand-written: a role is now a projection of the audit stream (spec.md §8), which holds no
-- grant made before it; a role set directly in the database is taken back, so the live column
-- and the stream agree. Re-grant with `npm run admin:grant`, which audits it.
UPDATE "users" SET "role" = 'user' WHERE "role" <> 'user';
