package command

func zsetCommands() []*Spec {
	return nil
}
