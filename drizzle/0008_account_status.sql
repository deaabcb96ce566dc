CREATE TYPE "public"."account_status" AS ENUM('active', 'suspended');--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "role" "user_role";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "status" "account_status" DEFAULT 'active' NOT NULL;--> statement-breakpoint
CREATE INDEX "audit_events_action_idx" ON "audit_events" USING btree ("action","sequence");--> statement-breakpoint
CREATE INDEX "users_active_admins_idx" ON "users" USING btree ("id") WHERE "users"."role" = 'admin' and "users"."status" = 'active';