DROP INDEX "event_deliveries_head_idx";--> statement-breakpoint
CREATE INDEX "event_deliveries_line_idx" ON "event_deliveries" USING btree ("consumer","aggregate","id");